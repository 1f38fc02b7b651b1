#pragma once
// Syntax colouring of a code block. Debian 12 has no Qt 6 KSyntaxHighlighting, so this is a small
// scanner of our own: per language a table of keywords, comment markers and string quotes, read
// left to right so that a quote inside a comment (or a "//" inside a string) is not mistaken for
// anything else. Only keywords, strings, comments and numbers are coloured: enough to read code,
// small enough to keep. An unknown language gets no colouring at all rather than a wrong guess.
//
// CodeHighlighter is the QSyntaxHighlighter (plain C++, testable on a QTextDocument);
// CodeHighlighting is the QML helper that attaches one to a TextEdit's QQuickTextDocument.
#include <QColor>
#include <QObject>
#include <QPointer>
#include <QQuickTextDocument>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>
#include <QtQml/qqmlregistration.h>

namespace tern::app {

struct CodeLanguage;

struct CodeColours {
    QColor keyword, string, comment, number;
};

class CodeHighlighter : public QSyntaxHighlighter {
    Q_OBJECT
public:
    CodeHighlighter(QTextDocument* document, const QString& language, const CodeColours& colours);
    // Recolours the whole document (the theme changed).
    void setColours(const CodeColours& colours);
    // False when the fence's info string names no language we know: nothing is coloured.
    bool knowsLanguage() const { return language_ != nullptr; }
    // The table for a fence info string ("cpp", "Python", "ts", "sh {.line-numbers}"...), or null.
    static const CodeLanguage* languageFor(const QString& infoString);

protected:
    void highlightBlock(const QString& text) override;

private:
    const CodeLanguage* language_;
    QTextCharFormat keyword_, string_, comment_, number_;
};

class CodeHighlighting : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QQuickTextDocument* document READ document WRITE setDocument NOTIFY documentChanged)
    Q_PROPERTY(QString language READ language WRITE setLanguage NOTIFY languageChanged)
    Q_PROPERTY(QColor keywordColor READ keywordColor WRITE setKeywordColor NOTIFY coloursChanged)
    Q_PROPERTY(QColor stringColor READ stringColor WRITE setStringColor NOTIFY coloursChanged)
    Q_PROPERTY(QColor commentColor READ commentColor WRITE setCommentColor NOTIFY coloursChanged)
    Q_PROPERTY(QColor numberColor READ numberColor WRITE setNumberColor NOTIFY coloursChanged)
    Q_PROPERTY(bool active READ active NOTIFY languageChanged)  // a known language is being coloured
public:
    explicit CodeHighlighting(QObject* parent = nullptr);
    QQuickTextDocument* document() const { return document_; }
    void setDocument(QQuickTextDocument* document);
    QString language() const { return language_; }
    void setLanguage(const QString& language);
    QColor keywordColor() const { return keywordColor_; }
    void setKeywordColor(const QColor& c) { setColour(keywordColor_, c); }
    QColor stringColor() const { return stringColor_; }
    void setStringColor(const QColor& c) { setColour(stringColor_, c); }
    QColor commentColor() const { return commentColor_; }
    void setCommentColor(const QColor& c) { setColour(commentColor_, c); }
    QColor numberColor() const { return numberColor_; }
    void setNumberColor(const QColor& c) { setColour(numberColor_, c); }
    bool active() const { return highlighter_ && highlighter_->knowsLanguage(); }

signals:
    void documentChanged();
    void languageChanged();
    void coloursChanged();

private:
    void setColour(QColor& member, const QColor& c);
    void rebuild();
    CodeColours colours() const { return {keywordColor_, stringColor_, commentColor_, numberColor_}; }
    QPointer<QQuickTextDocument> document_;
    QString language_;
    QColor keywordColor_, stringColor_, commentColor_, numberColor_;
    QPointer<CodeHighlighter> highlighter_;
};

}  // namespace tern::app

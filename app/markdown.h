#pragma once
// Message text -> what the bubble shows. Fenced code blocks are cut out first (they get their
// own monospace box with a copy button); the prose between them goes through Qt's Markdown
// reader (GitHub dialect: headings, lists, tables) and comes out as HTML for a rich-text item.
// A fence still open at the end counts as code: that is how a reply looks while it streams.
#include <QObject>
#include <QString>
#include <QVariantList>
#include <QVector>
#include <QtQml/qqmlregistration.h>

namespace tern::app {

struct MarkdownBlock {
    bool code = false;
    QString text;      // Markdown prose, or the code without its fences
    QString language;  // the fence's info string, for code
};

QVector<MarkdownBlock> splitFencedCode(const QString& markdown);
// Prose -> HTML. Inline code gets a monospace font and codeBackground (Qt's reader only marks it
// "fixed pitch", which its HTML writer drops); tables get visible borders.
QString markdownToHtml(const QString& markdown, const QString& codeBackground, const QString& borderColor);

// For QML: Markdown.blocks(text, dark) -> [{code: bool, html or text, language}].
class Markdown : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
public:
    using QObject::QObject;
    Q_INVOKABLE QVariantList blocks(const QString& markdown, bool dark) const;
};

}  // namespace tern::app

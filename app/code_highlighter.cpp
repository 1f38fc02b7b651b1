#include "app/code_highlighter.h"

#include <QRegularExpression>
#include <QSet>
#include <QTextDocument>

namespace tern::app {

// One language's rule table. Strings in `multiLineQuotes` may run over several lines (JS
// template literals, Go raw strings); `tripleQuotes` is Python's """ and '''.
struct CodeLanguage {
    QStringList names;  // fence info strings that mean this language, lower case
    QSet<QString> keywords;
    QStringList lineComments;
    QString blockOpen, blockClose;
    QString quotes;
    QString multiLineQuotes;
    bool tripleQuotes = false;
    bool hashNeedsSpace = false;  // shell: '#' starts a comment only at a word start ($#, ${#x} are not)
};

namespace {

// previousBlockState() values: what a line left open for the next one.
enum BlockState { Plain = 0, InBlockComment = 1, InTriple = 2 /* + quote index */ , InMultiLineQuote = 16 };

QSet<QString> words(const char* list) {
    const QStringList l = QString::fromLatin1(list).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    return QSet<QString>(l.begin(), l.end());
}

const QList<CodeLanguage>& languages() {
    static const QList<CodeLanguage> table = [] {
        QList<CodeLanguage> t;
        t.append({{"c", "h", "cpp", "c++", "cc", "cxx", "hpp", "hh", "hxx"},
                  words("auto bool break case catch char class const constexpr continue default delete do double else enum "
                        "explicit extern false float for friend goto if inline int long namespace new noexcept nullptr "
                        "operator override private protected public register return short signed sizeof static "
                        "static_cast struct switch template this throw true try typedef typename union unsigned using "
                        "virtual void volatile while #include #define #if #ifdef #ifndef #endif #else #elif #pragma"),
                  {"//"}, "/*", "*/", "\"'", "", false, false});
        t.append({{"python", "py", "python3", "py3"},
                  words("False None True and as assert async await break class continue def del elif else except finally "
                        "for from global if import in is lambda nonlocal not or pass raise return try while with yield"),
                  {"#"}, "", "", "\"'", "", true, false});
        t.append({{"javascript", "js", "jsx", "mjs", "cjs", "typescript", "ts", "tsx", "node"},
                  words("async await break case catch class const continue debugger default delete do else enum export "
                        "extends false finally for function if implements import in instanceof interface let new null "
                        "of private protected public readonly return static super switch this throw true try type "
                        "typeof undefined var void while yield as from"),
                  {"//"}, "/*", "*/", "\"'`", "`", false, false});
        t.append({{"json", "jsonc", "json5"}, words("true false null"), {}, "", "", "\"", "", false, false});
        t.append({{"sh", "bash", "shell", "zsh", "console", "shellsession"},
                  words("if then else elif fi for while until do done case esac in function return local export "
                        "readonly select break continue exit"),
                  {"#"}, "", "", "\"'", "", false, true});
        t.append({{"rust", "rs"},
                  words("as async await break const continue crate dyn else enum extern false fn for if impl in let loop "
                        "match mod move mut pub ref return self Self static struct super trait true type unsafe use "
                        "where while"),
                  {"//"}, "/*", "*/", "\"", "", false, false});
        t.append({{"go", "golang"},
                  words("break case chan const continue default defer else fallthrough for func go goto if import "
                        "interface map package range return select struct switch type var true false nil iota"),
                  {"//"}, "/*", "*/", "\"'`", "`", false, false});
        return t;
    }();
    return table;
}

bool isWordChar(QChar c) { return c.isLetterOrNumber() || c == QLatin1Char('_'); }

// Index just past the quote closing the string that opened at `from - 1`, or -1 if the line ends first.
int closingQuote(const QString& text, int from, QChar quote) {
    for (int j = from; j < text.size(); ++j) {
        if (text[j] == QLatin1Char('\\')) ++j;  // an escaped character, whatever it is
        else if (text[j] == quote) return j + 1;
    }
    return -1;
}

}  // namespace

CodeHighlighter::CodeHighlighter(QTextDocument* document, const QString& language, const CodeColours& colours)
    : QSyntaxHighlighter(document), language_(languageFor(language)) {
    // Not through setColours(): the constructor already highlights once the document is set, and
    // the formats must be there before that.
    keyword_.setForeground(colours.keyword);
    keyword_.setFontWeight(QFont::DemiBold);
    string_.setForeground(colours.string);
    comment_.setForeground(colours.comment);
    comment_.setFontItalic(true);
    number_.setForeground(colours.number);
    rehighlight();
}

void CodeHighlighter::setColours(const CodeColours& colours) {
    keyword_.setForeground(colours.keyword);
    string_.setForeground(colours.string);
    comment_.setForeground(colours.comment);
    number_.setForeground(colours.number);
    if (language_) rehighlight();
}

const CodeLanguage* CodeHighlighter::languageFor(const QString& infoString) {
    // "```python title=x.py" or "```{.sh}": the first word, without pandoc's braces and dot.
    QString name = infoString.trimmed().section(QRegularExpression(QStringLiteral("[\\s,]")), 0, 0).toLower();
    name.remove(QRegularExpression(QStringLiteral("^[{.]+|}$")));
    if (name.startsWith(QLatin1String("language-"))) name = name.mid(9);
    for (const CodeLanguage& l : languages())
        if (l.names.contains(name)) return &l;
    return nullptr;
}

void CodeHighlighter::highlightBlock(const QString& text) {
    setCurrentBlockState(Plain);
    if (!language_) return;
    const CodeLanguage& lang = *language_;
    const int n = text.size();
    int i = 0;

    // Continue what the previous line left open.
    const int previous = std::max(0, previousBlockState());
    if (previous == InBlockComment) {
        const int end = text.indexOf(lang.blockClose);
        if (end < 0) {
            setFormat(0, n, comment_);
            setCurrentBlockState(InBlockComment);
            return;
        }
        i = end + lang.blockClose.size();
        setFormat(0, i, comment_);
    } else if (previous >= InTriple && previous < InMultiLineQuote) {
        const QString triple(3, lang.quotes.at(previous - InTriple));
        const int end = text.indexOf(triple);
        if (end < 0) {
            setFormat(0, n, string_);
            setCurrentBlockState(previous);
            return;
        }
        i = end + 3;
        setFormat(0, i, string_);
    } else if (previous >= InMultiLineQuote) {
        const QChar quote = lang.quotes.at(previous - InMultiLineQuote);
        const int end = closingQuote(text, 0, quote);
        if (end < 0) {
            setFormat(0, n, string_);
            setCurrentBlockState(previous);
            return;
        }
        i = end;
        setFormat(0, i, string_);
    }

    while (i < n) {
        const QChar c = text[i];
        if (!lang.blockOpen.isEmpty() && text.mid(i, lang.blockOpen.size()) == lang.blockOpen) {
            const int end = text.indexOf(lang.blockClose, i + lang.blockOpen.size());
            if (end < 0) {
                setFormat(i, n - i, comment_);
                setCurrentBlockState(InBlockComment);
                return;
            }
            setFormat(i, end + lang.blockClose.size() - i, comment_);
            i = end + lang.blockClose.size();
            continue;
        }
        bool lineComment = false;
        for (const QString& marker : lang.lineComments)
            if (text.mid(i, marker.size()) == marker && (!lang.hashNeedsSpace || i == 0 || text[i - 1].isSpace()))
                lineComment = true;
        if (lineComment) {
            setFormat(i, n - i, comment_);
            return;
        }
        const int quoteIndex = lang.quotes.indexOf(c);
        if (quoteIndex >= 0) {
            if (lang.tripleQuotes && text.mid(i, 3) == QString(3, c)) {
                const int end = text.indexOf(QString(3, c), i + 3);
                if (end < 0) {
                    setFormat(i, n - i, string_);
                    setCurrentBlockState(InTriple + quoteIndex);
                    return;
                }
                setFormat(i, end + 3 - i, string_);
                i = end + 3;
                continue;
            }
            const int end = closingQuote(text, i + 1, c);
            if (end < 0) {
                setFormat(i, n - i, string_);  // unterminated: colour to the end of the line
                if (lang.multiLineQuotes.contains(c)) setCurrentBlockState(InMultiLineQuote + quoteIndex);
                return;
            }
            setFormat(i, end - i, string_);
            i = end;
            continue;
        }
        if (c.isDigit() && (i == 0 || !isWordChar(text[i - 1]))) {
            int j = i + 1;  // 0x1f, 1.5e3, 10u32, 1_000: letters, digits, '_' and '.' belong to it
            while (j < n && (isWordChar(text[j]) || (text[j] == QLatin1Char('.') && j + 1 < n && text[j + 1].isDigit())))
                ++j;
            setFormat(i, j - i, number_);
            i = j;
            continue;
        }
        // A word; C's preprocessor directives are listed with their '#'.
        if (isWordChar(c) || (c == QLatin1Char('#') && i + 1 < n && text[i + 1].isLetter())) {
            int j = i + 1;
            while (j < n && isWordChar(text[j])) ++j;
            if (lang.keywords.contains(text.mid(i, j - i))) setFormat(i, j - i, keyword_);
            i = j;
            continue;
        }
        ++i;
    }
}

CodeHighlighting::CodeHighlighting(QObject* parent) : QObject(parent) {}

void CodeHighlighting::setDocument(QQuickTextDocument* document) {
    if (document_ == document) return;
    document_ = document;
    rebuild();
    emit documentChanged();
}

void CodeHighlighting::setLanguage(const QString& language) {
    if (language_ == language) return;
    language_ = language;
    rebuild();  // emits languageChanged
}

void CodeHighlighting::setColour(QColor& member, const QColor& c) {
    if (member == c) return;
    member = c;
    if (highlighter_) highlighter_->setColours(colours());
    emit coloursChanged();
}

void CodeHighlighting::rebuild() {
    if (highlighter_) {
        highlighter_->setDocument(nullptr);  // takes its formats off the text
        delete highlighter_.data();
    }
    // Only for a language we know: an unknown one keeps the plain text, untouched.
    if (document_ && document_->textDocument() && CodeHighlighter::languageFor(language_))
        highlighter_ = new CodeHighlighter(document_->textDocument(), language_, colours());
    emit languageChanged();
}

}  // namespace tern::app

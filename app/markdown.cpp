#include "app/markdown.h"

#include <QRegularExpression>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextFrame>
#include <QTextTable>
#include <QVariantMap>

namespace tern::app {

QVector<MarkdownBlock> splitFencedCode(const QString& markdown) {
    // CommonMark fences: up to three spaces, then at least three ` or ~; closed by a line of the
    // same character at least as long.
    static const QRegularExpression open(QStringLiteral("^ {0,3}(`{3,}|~{3,})\\s*([^`\\s]*)[^`]*$"));
    QVector<MarkdownBlock> out;
    QString prose, code, fence, language;
    bool inCode = false;
    auto flushProse = [&] {
        if (!prose.trimmed().isEmpty()) out.push_back({false, prose, {}});
        prose.clear();
    };
    const QStringList lines = markdown.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        const QString& line = lines[i];
        if (!inCode) {
            const QRegularExpressionMatch m = open.match(line);
            if (m.hasMatch()) {
                flushProse();
                inCode = true;
                fence = m.captured(1);
                language = m.captured(2);
                code.clear();
                continue;
            }
            prose += line;
            if (i + 1 < lines.size()) prose += QLatin1Char('\n');
        } else {
            const QString t = line.trimmed();
            if (t.size() >= fence.size() && t == QString(t.size(), fence[0]) && line.indexOf(fence[0]) <= 3) {
                out.push_back({true, code, language});
                inCode = false;
                continue;
            }
            if (!code.isEmpty()) code += QLatin1Char('\n');
            code += line;
        }
    }
    if (inCode) out.push_back({true, code, language});
    flushProse();
    return out;
}

QString markdownToHtml(const QString& markdown, const QString& codeBackground, const QString& borderColor) {
    QTextDocument doc;
    doc.setMarkdown(markdown, QTextDocument::MarkdownDialectGitHub);
    // Inline code: Qt marks it fixed-pitch; give it a real monospace family and a background.
    QTextCharFormat codeFormat;
    codeFormat.setFontFamilies({QStringLiteral("DejaVu Sans Mono"), QStringLiteral("monospace")});
    codeFormat.setBackground(QColor(codeBackground));
    for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) {
        for (auto it = b.begin(); !it.atEnd(); ++it) {
            const QTextFragment f = it.fragment();
            if (!f.isValid() || !f.charFormat().fontFixedPitch()) continue;
            QTextCursor c(&doc);
            c.setPosition(f.position());
            c.setPosition(f.position() + f.length(), QTextCursor::KeepAnchor);
            c.mergeCharFormat(codeFormat);
        }
    }
    for (QTextFrame* frame : doc.rootFrame()->childFrames()) {
        if (auto* table = qobject_cast<QTextTable*>(frame)) {
            QTextTableFormat tf = table->format();
            tf.setBorder(1);
            tf.setBorderBrush(QColor(borderColor));
            tf.setBorderStyle(QTextFrameFormat::BorderStyle_Solid);
            tf.setBorderCollapse(true);
            tf.setCellPadding(4);
            tf.setCellSpacing(0);
            table->setFormat(tf);
        }
    }
    QString html = doc.toHtml();
    // The writer pins the document's default font on <body>; drop it so the item's font applies.
    static const QRegularExpression body(QStringLiteral("<body style=\"[^\"]*\">"));
    html.replace(body, QStringLiteral("<body>"));
    return html;
}

QVariantList Markdown::blocks(const QString& markdown, bool dark) const {
    QVariantList out;
    const QString codeBg = dark ? QStringLiteral("#3a3f4b") : QStringLiteral("#eceff3");
    const QString border = dark ? QStringLiteral("#5c6370") : QStringLiteral("#c8ccd2");
    for (const MarkdownBlock& b : splitFencedCode(markdown)) {
        QVariantMap m;
        m.insert(QStringLiteral("code"), b.code);
        m.insert(QStringLiteral("language"), b.language);
        m.insert(QStringLiteral("text"), b.code ? b.text : QString());
        m.insert(QStringLiteral("html"), b.code ? QString() : markdownToHtml(b.text, codeBg, border));
        out.push_back(m);
    }
    return out;
}

}  // namespace tern::app

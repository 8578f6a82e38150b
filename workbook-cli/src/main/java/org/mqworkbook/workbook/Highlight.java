package org.mqworkbook.workbook;

/**
 * Colour for a few words on a terminal, and none elsewhere. Whether to colour is picocli's decision
 * ({@code Ansi.AUTO}: the output is a console and {@code NO_COLOR} is not set), so pipes, files and tests
 * get plain text. The escape codes are written directly rather than through picocli's {@code @|...|@}
 * markup, because the text may be a line of code that contains those characters.
 *
 * <p>Immutable; thread safe.
 */
final class Highlight {
    private final boolean enabled;

    Highlight(boolean enabled) {
        this.enabled = enabled;
    }

    String good(String text) {
        return style("1;32", text);
    }

    String bad(String text) {
        return style("1;31", text);
    }

    String warn(String text) {
        return style("33", text);
    }

    String strong(String text) {
        return style("1", text);
    }

    String faint(String text) {
        return style("2", text);
    }

    private String style(String code, String text) {
        return enabled && !text.isEmpty() ? "\u001B[" + code + "m" + text + "\u001B[0m" : text;
    }
}

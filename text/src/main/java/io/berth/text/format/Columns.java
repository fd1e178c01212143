package io.berth.text.format;

/** Docker's list columns that need more than a field's text, shared by {@code berth ps} and {@code berth fleet ps}. */
public final class Columns {
    private Columns() {
    }

    /** Docker's COMMAND column: cut to 20 characters (the last one {@code …}) unless {@code --no-trunc}, then quoted as Go quotes. */
    public static String command(String command, boolean trunc) {
        return GoTemplateFunctions.quote(trunc ? Units.ellipsis(command, 20) : command);
    }
}

package io.berth.cli.commands;

import io.berth.text.json.Json;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code berth system note TEXT…}: records an operator's note in the event log ({@code NoteRecorded}, with
 * the caller as actor) and prints its sequence number.
 */
public final class SystemNoteCommand extends BaseCommand {
    private final PositionalParamSpec words;

    public SystemNoteCommand(CommandContext root) {
        super(root, "note", "Record a note in the event log");
        synopsis("TEXT...");
        words = arguments("TEXT");
    }

    @Override
    public Integer call() throws Exception {
        String text = String.join(" ", requireArgs(words, 1, -1));
        root.out().println(Json.text(root.api().note(text), "Sequence"));
        return 0;
    }
}

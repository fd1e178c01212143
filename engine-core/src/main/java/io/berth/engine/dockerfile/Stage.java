package io.berth.engine.dockerfile;

import java.util.List;
import java.util.Optional;

/**
 * One build stage: a {@code FROM} and the instructions up to the next {@code FROM}.
 *
 * @param index 0-based position in the file
 * @param from  the stage's {@code FROM}
 * @param body  the instructions after it, in order (never another {@code FROM})
 */
public record Stage(int index, Instruction.From from, List<Instruction> body) {
    public Stage {
        body = List.copyOf(body);
    }

    /** @return the stage's {@code AS} name, if it has one */
    public Optional<String> name() {
        return from.alias();
    }
}

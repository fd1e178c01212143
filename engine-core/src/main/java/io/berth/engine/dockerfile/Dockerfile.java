package io.berth.engine.dockerfile;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed Dockerfile.
 *
 * @param fileName   the name errors are reported against
 * @param directives parser directives from the top of the file, keys lower-case ({@code escape},
 *                   {@code syntax}, {@code check}); kept so the build record shows them
 * @param escape     the escape character in force ({@code \} or {@code `})
 * @param globalArgs the {@code ARG}s before the first {@code FROM}; they may be used in {@code FROM} lines
 * @param stages     the stages in file order; never empty
 */
public record Dockerfile(String fileName, Map<String, String> directives, char escape,
                         List<Instruction.Arg> globalArgs, List<Stage> stages) {
    public Dockerfile {
        directives = Map.copyOf(directives);
        globalArgs = List.copyOf(globalArgs);
        stages = List.copyOf(stages);
    }

    /** @return the stage named {@code nameOrIndex} (its {@code AS} name, case-insensitive, or its index) */
    public Optional<Stage> stage(String nameOrIndex) {
        for (Stage s : stages) {
            if (s.from().alias().map(a -> a.equalsIgnoreCase(nameOrIndex)).orElse(false)) {
                return Optional.of(s);
            }
        }
        if (nameOrIndex.matches("[0-9]{1,9}")) {
            int i = Integer.parseInt(nameOrIndex);
            if (i < stages.size()) {
                return Optional.of(stages.get(i));
            }
        }
        return Optional.empty();
    }
}

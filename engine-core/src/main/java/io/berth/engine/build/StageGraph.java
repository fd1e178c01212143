package io.berth.engine.build;

import io.berth.engine.dockerfile.Dockerfile;
import io.berth.engine.dockerfile.Instruction;
import io.berth.engine.dockerfile.Location;
import io.berth.engine.dockerfile.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stages of a Dockerfile and what each needs: a FROM of another stage, a {@code COPY --from}, a
 * {@code RUN --mount=…,from=}. The target's stages, and only those, are built, in file order (an
 * earlier stage before a later one, so a stage's dependencies are always done when it starts).
 */
final class StageGraph {
    /** The {@code from=} of a {@code RUN --mount}: a stage it needs built first. */
    private static final Pattern MOUNT_FROM = Pattern.compile("(?:^|,)\\s*from=\"?([^,\"]+)");

    private final Dockerfile dockerfile;
    private final BuildVariables variables;

    StageGraph(Dockerfile dockerfile, BuildVariables variables) {
        this.dockerfile = dockerfile;
        this.variables = variables;
    }

    /** The stage {@code --target} names (by name, case-insensitive), or the last one when it is empty. */
    int target(String name) {
        if (name.isEmpty()) {
            return dockerfile.stages().size() - 1;
        }
        return dockerfile.stages().stream().filter(s -> s.name().map(n -> n.equalsIgnoreCase(name)).orElse(false))
                .map(Stage::index).findFirst()
                .orElseThrow(() -> new BuildException("failed to reach build target " + name + " in Dockerfile"));
    }

    /** The stages the target needs, itself included, in file order. */
    SortedSet<Integer> needed(int target) {
        TreeSet<Integer> needed = new TreeSet<>();
        collectNeeded(target, needed, new ArrayList<>());
        return needed;
    }

    Stage stage(int index) {
        return dockerfile.stages().get(index);
    }

    /** How many steps the stages make: a FROM and each instruction (ONBUILD triggers are not counted, as in Docker). */
    int steps(Set<Integer> stages) {
        int total = 0;
        for (int index : stages) {
            total += 1 + stage(index).body().size();
        }
        return total;
    }

    /**
     * The earlier stage a name or index refers to, or null when it names an image.
     *
     * @param current  the stage that refers to it: only stages before it can be named
     * @param copyFrom a {@code --from} (where a number is a stage index), not a FROM line
     */
    Integer stageIndex(String nameOrIndex, int current, Location location, boolean copyFrom) {
        for (Stage s : dockerfile.stages()) {
            if (s.name().map(n -> n.equalsIgnoreCase(nameOrIndex)).orElse(false)) {
                if (s.index() >= current) {
                    throw new BuildException(BuildExecution.where(location) + ": " + (copyFrom ? "COPY --from=" : "FROM ") + nameOrIndex
                            + ": stage " + nameOrIndex + " is not defined before this stage");
                }
                return s.index();
            }
        }
        if (copyFrom && nameOrIndex.matches("[0-9]+")) {
            int i = Integer.parseInt(nameOrIndex);
            if (i >= current) {
                throw new BuildException(BuildExecution.where(location) + ": COPY --from=" + nameOrIndex + ": invalid stage index, only stages 0 to "
                        + (current - 1) + " come before this one");
            }
            return i;
        }
        return null;
    }

    /** Adds {@code index} and every stage it uses (FROM another stage, COPY --from, RUN --mount from=) to {@code needed}. */
    private void collectNeeded(int index, Set<Integer> needed, List<Integer> path) {
        if (path.contains(index)) {
            throw new BuildException("circular dependency between stages: " + path + " -> " + index);
        }
        if (!needed.add(index)) {
            return;
        }
        path.add(index);
        Stage stage = stage(index);
        String base = variables.expandGlobal(stage.from().image(), stage.from().location());
        Integer baseStage = stageIndex(base, index, stage.from().location(), false);
        if (baseStage != null) {
            collectNeeded(baseStage, needed, path);
        }
        for (Instruction instruction : stage.body()) {
            if (instruction instanceof Instruction.Run run) {
                for (Instruction.Flag flag : run.flags()) {
                    Matcher m = MOUNT_FROM.matcher(flag.name().equals("mount") ? flag.value() : "");
                    if (m.find()) {
                        Integer other = stageIndex(variables.expandGlobal(m.group(1), run.location()), index, run.location(), true);
                        if (other != null) {
                            collectNeeded(other, needed, path);
                        }
                    }
                }
            }
            if (instruction instanceof Instruction.Copy copy) {
                String from = InstructionPlanner.flag(copy.flags(), "from");
                if (from != null) {
                    Integer other = stageIndex(variables.expandGlobal(from, copy.location()), index, copy.location(), true);
                    if (other != null) {
                        collectNeeded(other, needed, path);
                    }
                }
            }
        }
        path.removeLast();
    }
}

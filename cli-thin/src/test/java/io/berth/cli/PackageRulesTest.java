package io.berth.cli;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of cli-thin, as ARCHITECTURE.md's package table states them: no cycle between
 * packages, the layers, and per package what it may use. A package here means a top-level package under
 * {@code io.berth.cli} with everything below it; the root package ({@code Main}, {@code BerthCommand},
 * {@code Terminal}) counts as one more: the entry point, which may use every package and which none uses.
 */
class PackageRulesTest {
    private static final String ROOT = "io.berth.cli";

    /**
     * Package → the other CLI packages it may use; {@code *} for every package. Kept in step with the
     * table in ARCHITECTURE.md.
     */
    private static final Map<String, Set<String>> MAY_USE = new LinkedHashMap<>();

    static {
        MAY_USE.put("(root)", Set.of("*"));
        MAY_USE.put("training", Set.of("http"));
        MAY_USE.put("commands", Set.of("api", "args", "auth", "build", "exit", "files", "format", "http", "stream", "version"));
        MAY_USE.put("build", Set.of("api", "exit", "files", "http"));
        MAY_USE.put("files", Set.of("exit"));
        MAY_USE.put("format", Set.of("http"));
        MAY_USE.put("args", Set.of());
        MAY_USE.put("auth", Set.of());
        MAY_USE.put("stream", Set.of());
        MAY_USE.put("api", Set.of("http"));
        MAY_USE.put("http", Set.of());
        MAY_USE.put("exit", Set.of());
        MAY_USE.put("version", Set.of());
    }

    private static JavaClasses cli;

    @BeforeAll
    static void importCli() {
        cli = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().assignedFrom(new TopLevelPackages(ROOT)).should().beFreeOfCycles().check(cli);
    }

    @Test
    void layersAreUsedOnlyFromAbove() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Entry point").definedBy(ROOT, ROOT + ".training..")
                .layer("Commands").definedBy(ROOT + ".commands..")
                .layer("Command support").definedBy(ROOT + ".args..", ROOT + ".auth..", ROOT + ".build..", ROOT + ".files..",
                        ROOT + ".format..", ROOT + ".stream..")
                .layer("Client").definedBy(ROOT + ".api..", ROOT + ".http..")
                .layer("Foundation").definedBy(ROOT + ".exit..", ROOT + ".version..")
                .whereLayer("Entry point").mayNotBeAccessedByAnyLayer()
                .whereLayer("Commands").mayOnlyBeAccessedByLayers("Entry point")
                .whereLayer("Command support").mayOnlyBeAccessedByLayers("Entry point", "Commands")
                .whereLayer("Client").mayOnlyBeAccessedByLayers("Entry point", "Commands", "Command support")
                .check(cli);
    }

    @Test
    void eachPackageUsesOnlyWhatItsRowAllows() {
        for (Map.Entry<String, Set<String>> row : MAY_USE.entrySet()) {
            if (row.getValue().contains("*")) {
                continue;
            }
            List<String> allowed = new ArrayList<>(List.of(packagePattern(row.getKey())));
            row.getValue().forEach(p -> allowed.add(packagePattern(p)));
            classes().that().resideInAPackage(packagePattern(row.getKey()))
                    .should().onlyDependOnClassesThat(resideOutsideOfPackage(ROOT + "..").or(resideInAnyPackage(allowed.toArray(String[]::new))))
                    .because("ARCHITECTURE.md's package table says what " + row.getKey() + " may use")
                    .allowEmptyShould(true)
                    .check(cli);
        }
    }

    private static String packagePattern(String name) {
        return name.equals("(root)") ? ROOT : ROOT + "." + name + "..";
    }

    @Test
    void everyPackageHasARowInTheTable() {
        Set<String> packages = new TreeSet<>();
        for (JavaClass type : cli) {
            String name = TopLevelPackages.topLevel(ROOT, type.getPackageName());
            if (name != null) {
                packages.add(name);
            }
        }
        assertEquals(new TreeSet<>(MAY_USE.keySet()), packages,
                "every package under " + ROOT + " needs a row in MAY_USE and in ARCHITECTURE.md's package table");
    }

    /** Assigns each class to the top-level package under a root it lives in; the root package is a slice of its own. */
    static final class TopLevelPackages implements SliceAssignment {
        private final String root;

        TopLevelPackages(String root) {
            this.root = root;
        }

        /** The top-level package under {@code root} that {@code packageName} is in, "(root)" for root itself, null outside it. */
        static String topLevel(String root, String packageName) {
            if (packageName.equals(root)) {
                return "(root)";
            }
            if (!packageName.startsWith(root + ".")) {
                return null;
            }
            String rest = packageName.substring(root.length() + 1);
            int dot = rest.indexOf('.');
            return dot < 0 ? rest : rest.substring(0, dot);
        }

        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String name = topLevel(root, javaClass.getPackageName());
            return name == null ? SliceIdentifier.ignore() : SliceIdentifier.of(name);
        }

        @Override
        public String getDescription() {
            return "top-level packages of " + root;
        }
    }
}

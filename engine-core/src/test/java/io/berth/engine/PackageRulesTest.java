package io.berth.engine;

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
 * The package rules of engine-core, as ARCHITECTURE.md's package table states them: no cycle between
 * packages, the layers, and per package what it may use. A package here means a top-level package under
 * {@code io.berth.engine} with everything below it ({@code build.…} belongs to {@code build}); the root
 * package ({@code BerthVersion}) counts as one more, which anyone may use and which uses none.
 */
class PackageRulesTest {
    private static final String ROOT = "io.berth.engine";

    /**
     * Package → the other engine packages it may use, besides {@code domain} (every slice's exception base)
     * and the root package, which all may use. {@code daemon} wires everything and may use every package.
     * Kept in step with the table in ARCHITECTURE.md.
     */
    private static final Map<String, Set<String>> MAY_USE = new LinkedHashMap<>();

    static {
        MAY_USE.put("daemon", Set.of("*"));
        MAY_USE.put("fleet", Set.of("api", "container", "events"));
        MAY_USE.put("offline", Set.of("api", "history"));
        MAY_USE.put("build", Set.of("api", "container", "content", "dockerfile", "image", "journal", "plugins", "projection"));
        MAY_USE.put("network", Set.of("api", "container", "history", "journal", "plugins", "projection"));
        MAY_USE.put("container", Set.of("api", "history", "image", "journal", "plugins", "projection"));
        MAY_USE.put("image", Set.of("api", "content", "dockerfile", "history", "journal", "plugins", "projection"));
        MAY_USE.put("history", Set.of("api", "events", "journal", "projection", "system"));
        MAY_USE.put("events", Set.of("api"));
        MAY_USE.put("system", Set.of("projection"));
        MAY_USE.put("api", Set.of("journal"));
        MAY_USE.put("plugins", Set.of("journal"));
        MAY_USE.put("journal", Set.of("projection"));
        MAY_USE.put("projection", Set.of());
        MAY_USE.put("content", Set.of());
        MAY_USE.put("dockerfile", Set.of());
        MAY_USE.put("domain", Set.of());
    }

    private static JavaClasses engine;

    @BeforeAll
    static void importEngine() {
        engine = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().assignedFrom(new TopLevelPackages(ROOT)).should().beFreeOfCycles().check(engine);
    }

    @Test
    void layersAreUsedOnlyFromAbove() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Entry points").definedBy(ROOT + ".daemon..", ROOT + ".fleet..", ROOT + ".offline..")
                .layer("Slices").definedBy(ROOT + ".build..", ROOT + ".network..", ROOT + ".container..", ROOT + ".image..",
                        ROOT + ".history..", ROOT + ".events..", ROOT + ".system..")
                .layer("HTTP").definedBy(ROOT + ".api..")
                .layer("Plugins").definedBy(ROOT + ".plugins..")
                .layer("Journal").definedBy(ROOT + ".journal..", ROOT + ".projection..")
                .layer("Foundation").definedBy(ROOT, ROOT + ".domain..", ROOT + ".content..", ROOT + ".dockerfile..")
                .whereLayer("Entry points").mayNotBeAccessedByAnyLayer()
                .whereLayer("Slices").mayOnlyBeAccessedByLayers("Entry points")
                .whereLayer("HTTP").mayOnlyBeAccessedByLayers("Entry points", "Slices")
                .whereLayer("Plugins").mayOnlyBeAccessedByLayers("Entry points", "Slices")
                .whereLayer("Journal").mayOnlyBeAccessedByLayers("Entry points", "Slices", "HTTP", "Plugins")
                .check(engine);
    }

    @Test
    void eachPackageUsesOnlyWhatItsRowAllows() {
        for (Map.Entry<String, Set<String>> row : MAY_USE.entrySet()) {
            if (row.getValue().contains("*")) {
                continue;
            }
            List<String> allowed = new ArrayList<>(List.of(ROOT, ROOT + ".domain..", ROOT + "." + row.getKey() + ".."));
            row.getValue().forEach(p -> allowed.add(ROOT + "." + p + ".."));
            classes().that().resideInAPackage(ROOT + "." + row.getKey() + "..")
                    .should().onlyDependOnClassesThat(resideOutsideOfPackage(ROOT + "..").or(resideInAnyPackage(allowed.toArray(String[]::new))))
                    .because("ARCHITECTURE.md's package table says what " + row.getKey() + " may use")
                    .allowEmptyShould(true)
                    .check(engine);
        }
    }

    @Test
    void rootPackageUsesNoOtherPackage() {
        classes().that().resideInAPackage(ROOT)
                .should().onlyDependOnClassesThat(resideOutsideOfPackage(ROOT + "..").or(resideInAnyPackage(ROOT)))
                .allowEmptyShould(true)
                .check(engine);
    }

    @Test
    void everyPackageHasARowInTheTable() {
        Set<String> packages = new TreeSet<>();
        for (JavaClass type : engine) {
            String name = TopLevelPackages.topLevel(ROOT, type.getPackageName());
            if (name != null && !name.equals("(root)")) {
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

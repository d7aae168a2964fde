package dev.airlock.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noCodeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.JavaParameterizedType;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shape of the code, checked on every build: the module layering and a package per
 * ecosystem, and the patterns issue 16 removed kept from coming back. A rule names where the
 * approved way lives; classes that still break a rule and belong to work in progress elsewhere are
 * listed by name in {@link #NOT_YET}, so the list can only shrink.
 */
class ArchitectureTest {
    /**
     * Known breaks, each in code another change owns at the time of writing: the disk-full check
     * reads the JDK's ENOSPC message (no typed exception exists for it), and the artifact store
     * hashes with its own digest while it streams.
     */
    private static final Map<String, Set<String>> NOT_YET = Map.of(
            "message text", Set.of("dev.airlock.proxy.store.StorageFullException"),
            "digest", Set.of("dev.airlock.proxy.store.ArtifactStore"),
            "regex per call", Set.of("dev.airlock.analysis.Analyzer", "dev.airlock.analysis.rules.FileScan",
                    "dev.airlock.analysis.rules.ShapeRules", "dev.airlock.analysis.rules.PackageRules"));

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar") && !location.contains("/test-classes/"))
                .importPackages("dev.airlock");
    }

    @Test
    void modulesDependOnlyOnTheModulesBeforeThem() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("config").definedBy("dev.airlock.config..", "dev.airlock.common..", "dev.airlock.model..")
                .layer("sandbox").definedBy("dev.airlock.sandbox..")
                .layer("analysis").definedBy("dev.airlock.analysis..")
                .layer("policy").definedBy("dev.airlock.policy..")
                .layer("proxy").definedBy("dev.airlock.proxy..")
                .whereLayer("proxy").mayNotBeAccessedByAnyLayer()
                .whereLayer("policy").mayOnlyBeAccessedByLayers("proxy")
                .whereLayer("analysis").mayOnlyBeAccessedByLayers("policy", "proxy")
                .whereLayer("sandbox").mayOnlyBeAccessedByLayers("analysis", "policy", "proxy")
                .check(main);
        slices().matching("dev.airlock.(*)..").should().beFreeOfCycles().check(main);
    }

    @Test
    void eachEcosystemOfTheProxyKeepsToItsOwnPackage() {
        noClasses().that().resideInAPackage("dev.airlock.proxy.npm..")
                .should().dependOnClassesThat().resideInAPackage("dev.airlock.proxy.pypi..").check(main);
        noClasses().that().resideInAPackage("dev.airlock.proxy.pypi..")
                .should().dependOnClassesThat().resideInAPackage("dev.airlock.proxy.npm..").check(main);
    }

    @Test
    void jsonMappersAreMadeOnlyByTheSharedConfiguration() {
        noClasses().that().doNotHaveFullyQualifiedName("dev.airlock.common.Json")
                .should().callConstructorWhere(targetOwnerIsAssignableTo(ObjectMapper.class))
                .orShould().callMethod(JsonMapper.class, "builder")
                .because("common/Json is the one mapper configuration (Json.MAPPER, Json.newMapper(factory))")
                .check(main);
    }

    @Test
    void digestsComeFromHashes() {
        noClasses().that().doNotHaveFullyQualifiedName("dev.airlock.common.Hashes")
                .and(notYet("digest"))
                .should().callMethod(MessageDigest.class, "getInstance", String.class)
                .because("common/Hashes computes SHA-256 and the other digests the one way (Hashes.sha256Hex, Hashes.digest)")
                .check(main);
    }

    @Test
    void nothingButSingleFlightKeepsAMapOfFutures() {
        fields().that().areDeclaredInClassesThat().doNotHaveFullyQualifiedName("dev.airlock.common.SingleFlight")
                .should(notBeAMapOfFutures())
                .because("common/SingleFlight is the one single-flight map (and it frees a key whose work failed)")
                .allowEmptyShould(true)
                .check(main);
    }

    @Test
    void loggingGoesThroughSlf4j() {
        noClasses().should().dependOnClassesThat().resideInAPackage("java.util.logging..")
                .because("every module logs through SLF4J").check(main);
    }

    @Test
    void errorsAreClassifiedByTypeOrCodeNotByTheirMessage() {
        noCodeUnits().that().areDeclaredInClassesThat(notYet("message text"))
                .should(readAnErrorMessageAndMatchText())
                .because("a message is for people and changes with the JDK or a library; use the exception's type or a code")
                .check(main);
    }

    @Test
    void productionCodeHasNoTestHooks() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.junit..", "org.opentest4j..",
                "com.github.tomakehurst..", "org.wiremock..", "reactor.blockhound..", "org.mockito..").check(main);
        noMethods().should().haveNameMatching("(?i).*(fortest|fortesting|testhook|testonly).*")
                .allowEmptyShould(true).check(main);
    }

    @Test
    void regularExpressionsAreCompiledOnceNotOnEveryCall() {
        // GlobPattern.compile turns an admin's glob into a Pattern once, when a rule is loaded.
        noCodeUnits().that().doNotHaveName("<clinit>")
                .and().doNotHaveFullName("dev.airlock.policy.rules.GlobPattern.compile(java.lang.String)")
                .should(call(Pattern.class, "compile"))
                .because("a Pattern is a constant (style guide: precompiled Pattern constants)")
                .check(main);
    }

    @Test
    void stringMethodsThatCompileARegularExpressionOnEachCallAreNotUsed() {
        // String.split is left alone: a one-character (or escaped one-character) separator takes the
        // JDK's path without a Pattern, and the argument cannot be told apart in the bytecode.
        noCodeUnits().that().areDeclaredInClassesThat(notYet("regex per call"))
                .should(call(String.class, "replaceAll")).orShould(call(String.class, "replaceFirst"))
                .orShould(call(String.class, "matches"))
                .because("each call compiles its regular expression again; use a Pattern constant's matcher")
                .check(main);
    }

    @Test
    void sharedProxyMachineryServesBothEcosystemsWithoutReachingIntoEither() {
        noClasses().that().resideInAnyPackage("dev.airlock.proxy.http..", "dev.airlock.proxy.upstream..",
                        "dev.airlock.proxy.store..", "dev.airlock.proxy.admin..", "dev.airlock.proxy.auth..",
                        "dev.airlock.proxy.metrics..", "dev.airlock.proxy.tls..", "dev.airlock.proxy.ui..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.airlock.proxy.npm..", "dev.airlock.proxy.pypi..")
                .because("what is particular to npm or PyPI lives in its own package (style guide: a package per ecosystem)")
                .check(main);
    }

    @Test
    void onlyTheCommandLineWritesToTheStandardStreams() {
        noClasses().that().resideOutsideOfPackages("dev.airlock.proxy.cli..", "dev.airlock.analysis.cli..")
                .and().doNotHaveFullyQualifiedName("dev.airlock.proxy.Main")
                .should().accessField(System.class, "out").orShould().accessField(System.class, "err")
                .because("a running proxy reports through SLF4J (text or JSON logs); stdout and stderr belong to the commands")
                .check(main);
    }

    @Test
    void onlyTheEntryPointsEndTheProcess() {
        noClasses().that().doNotHaveFullyQualifiedName("dev.airlock.proxy.Main")
                .and().doNotHaveFullyQualifiedName("dev.airlock.analysis.cli.AnalyzeCommand")
                .should().callMethod(System.class, "exit", int.class)
                .check(main);
    }

    private static DescribedPredicate<JavaClass> notYet(String rule) {
        Set<String> known = NOT_YET.get(rule);
        return DescribedPredicate.describe("not known to break '" + rule + "' yet", c -> !known.contains(c.getName()));
    }

    private static DescribedPredicate<JavaConstructorCall> targetOwnerIsAssignableTo(Class<?> type) {
        return DescribedPredicate.describe("a constructor of a " + type.getSimpleName(),
                c -> c.getTarget().getOwner().isAssignableTo(type));
    }

    /** A code unit that calls {@code owner.name(...)}. */
    private static ArchCondition<JavaCodeUnit> call(Class<?> owner, String name) {
        return new ArchCondition<>("call " + owner.getSimpleName() + "." + name) {
            @Override
            public void check(JavaCodeUnit unit, ConditionEvents events) {
                boolean calls = unit.getMethodCallsFromSelf().stream()
                        .anyMatch(c -> c.getTarget().getOwner().isEquivalentTo(owner) && c.getName().equals(name));
                events.add(new SimpleConditionEvent(unit, calls, unit.getFullName() + (calls ? " calls " : " does not call ")
                        + owner.getSimpleName() + "." + name + " " + unit.getSourceCodeLocation()));
            }
        };
    }

    /** A Map (or ConcurrentMap...) whose values are futures: a hand-written single-flight. */
    private static ArchCondition<JavaField> notBeAMapOfFutures() {
        return new ArchCondition<>("not be a map of futures") {
            @Override
            public void check(JavaField field, ConditionEvents events) {
                JavaType type = field.getType();
                if (field.getRawType().isAssignableTo(Map.class) && type instanceof JavaParameterizedType p) {
                    List<JavaType> args = p.getActualTypeArguments();
                    if (args.size() == 2 && args.get(1).toErasure().isAssignableTo(Future.class)) {
                        events.add(SimpleConditionEvent.violated(field, field.getFullName() + " maps keys to futures"));
                    }
                }
            }
        };
    }

    /**
     * A method that tests the text of a Throwable's message: a {@code contains}, {@code startsWith}
     * (...) on the line that reads the message or within the three lines after it, where a message
     * read into a local and lower-cased is tested.
     */
    private static ArchCondition<JavaCodeUnit> readAnErrorMessageAndMatchText() {
        Set<String> textTests = Set.of("contains", "startsWith", "endsWith", "matches", "equalsIgnoreCase", "regionMatches");
        return new ArchCondition<>("test the text of an error's message") {
            @Override
            public void check(JavaCodeUnit unit, ConditionEvents events) {
                List<Integer> reads = unit.getMethodCallsFromSelf().stream()
                        .filter(c -> c.getTarget().getOwner().isAssignableTo(Throwable.class)
                                && (c.getName().equals("getMessage") || c.getName().equals("getLocalizedMessage")))
                        .map(JavaMethodCall::getLineNumber).toList();
                List<Integer> tests = unit.getMethodCallsFromSelf().stream()
                        .filter(c -> c.getTarget().getOwner().isEquivalentTo(String.class) && textTests.contains(c.getName()))
                        .map(JavaMethodCall::getLineNumber).toList();
                boolean classifies = reads.stream().anyMatch(r -> tests.stream().anyMatch(t -> t >= r && t <= r + 3));
                events.add(new SimpleConditionEvent(unit, classifies, unit.getFullName()
                        + (classifies ? " tests the text of an error message " : " does not ") + unit.getSourceCodeLocation()));
            }
        };
    }
}

package dev.weir.operator;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which way the operator's imports point (docs/architecture.md, "The operator"): {@code api} (the
 * CRD model) imports nothing of the operator; {@code resources} (pure builders of the desired
 * objects) only the model; {@code coordinator} (the client of the runtime's JobService) the model
 * and the object names; {@code reconciler} all three; the top package (start-up) whatever it wires.
 *
 * <p>Plain JUnit tests calling {@code check}: ArchUnit's own JUnit 5 engine (archunit-junit5 1.5.0)
 * discovers no test under the JUnit 6 platform used here, so its rules would never run.
 */
class OperatorArchitectureTest {
  private static JavaClasses operator;

  @BeforeAll
  static void importTheOperatorsClasses() {
    operator =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.weir.operator");
  }

  @Test
  void importsPointFromTheReconcilerDownToTheModel() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("api")
        .definedBy("dev.weir.operator.api..")
        .layer("resources")
        .definedBy("dev.weir.operator.resources..")
        .layer("coordinator")
        .definedBy("dev.weir.operator.coordinator..")
        .layer("reconciler")
        .definedBy("dev.weir.operator.reconciler..")
        .layer("start-up")
        .definedBy("dev.weir.operator")
        .whereLayer("api")
        .mayNotAccessAnyLayer()
        .whereLayer("resources")
        .mayOnlyAccessLayers("api")
        .whereLayer("coordinator")
        .mayOnlyAccessLayers("api", "resources")
        .whereLayer("reconciler")
        .mayOnlyAccessLayers("api", "resources", "coordinator")
        .check(operator);
  }

  @Test
  void theModelAndTheBuildersNeverImportTheReconciler() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.weir.operator.api..", "dev.weir.operator.resources..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.weir.operator.reconciler..")
        .because("the model and the desired-state builders must not know how they are used")
        .check(operator);
  }

  @Test
  void thePackagesHaveNoCycles() {
    slices().matching("dev.weir.operator.(*)..").should().beFreeOfCycles().check(operator);
  }

  @Test
  void onlyTheCoordinatorPackageSpeaksTheRuntimesGrpcProtocol() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.weir.operator.coordinator..")
        .and()
        .resideInAPackage("dev.weir.operator..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.weir.proto..", "io.grpc..")
        .because("the rest of the operator sees a coordinator as a CoordinatorClient")
        .check(operator);
  }

  @Test
  void theModelAndTheBuildersDoNoIo() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.weir.operator.api..", "dev.weir.operator.resources..")
        .should()
        .dependOnClassesThat(
            resideInAnyPackage("io.fabric8.kubernetes.client..", "io.javaoperatorsdk..")
                // the model's base class, not the client
                .and(not(name("io.fabric8.kubernetes.client.CustomResource"))))
        .because("desired-state builders and the CRD model are pure (no client calls)")
        .check(operator);
  }

  /**
   * The planners see a round only as an {@code Observed} value, never the {@code JobRound} itself
   * (which writes status and reaches the coordinator).
   */
  @Test
  void theTransitionPlannerAndTheSavepointVerdictDoNoIo() {
    noClasses()
        .that()
        .haveNameMatching(
            "dev\\.weir\\.operator\\.reconciler\\.(TransitionPlanner|TransitionPlan|Observed"
                + "|SavepointVerdict)(\\$.*)?")
        .should()
        .dependOnClassesThat(io().or(name("dev.weir.operator.reconciler.JobRound")))
        .because("transitions are decided by pure functions of status and observation")
        .check(operator);
  }

  @Test
  void theViewsOfTheReconcilerDoNoIo() {
    noClasses()
        .that()
        .haveNameMatching(
            "dev\\.weir\\.operator\\.reconciler\\.(StatusView|PodHealth|SpecDiff)(\\$.*)?")
        .should()
        .dependOnClassesThat(io())
        .because("status, pod health and spec changes are derived without I/O")
        .check(operator);
  }

  /** Whatever writes to the cluster or talks to a coordinator. */
  private static DescribedPredicate<JavaClass> io() {
    return resideInAPackage("io.fabric8.kubernetes.client..")
        .and(not(name("io.fabric8.kubernetes.client.CustomResource")))
        .or(name("dev.weir.operator.coordinator.CoordinatorClient"))
        .or(name("dev.weir.operator.reconciler.JobWorkloads"))
        .or(name("dev.weir.operator.reconciler.JobEvents"))
        .or(name("dev.weir.operator.reconciler.StatusRecorder"))
        .or(name("dev.weir.operator.reconciler.OperatorMetrics"))
        .or(name("dev.weir.operator.reconciler.SavepointStep"))
        .or(name("dev.weir.operator.reconciler.Transitions"));
  }
}

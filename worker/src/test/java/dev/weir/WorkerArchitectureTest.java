package dev.weir;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which way the runtime's imports point (docs/architecture.md, "Packages of the worker"): the job
 * author's {@code api} knows nothing but itself and the JDK; the checkpoint protocol and the state
 * backends do not know how tasks are reached, run or presented; the protocol's coordinator side
 * does not know its task side ({@code checkpoint.barrier}); state does not know the checkpoint
 * protocol; the statistics model does not know who presents it; the top-level packages form no
 * cycle. A new feature that breaks one of these fails here, naming the offending dependency.
 *
 * <p>Plain JUnit tests calling {@code check}: ArchUnit's JUnit 5 engine finds no test under the
 * JUnit 6 platform used here (as in the operator's architecture test).
 */
class WorkerArchitectureTest {
  /** What runs a job around the protocol: transport, life cycle, assembly, presentation, jobs. */
  private static final String[] AROUND_THE_PROTOCOL = {
    "dev.weir.net..",
    "dev.weir.runtime..",
    "dev.weir.runner..",
    "dev.weir.cli..",
    "dev.weir.web..",
    "dev.weir.stats..",
    "dev.weir.query..",
    "dev.weir.config..",
    "dev.weir.usercode..",
    "dev.weir.connectors..",
    "dev.weir.jobs..",
    "dev.weir.bench.."
  };

  private static JavaClasses runtime;

  @BeforeAll
  static void importTheRuntimesClasses() {
    runtime =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.weir");
  }

  @Test
  void theApiDependsOnNothingButItselfAndTheJdk() {
    classes()
        .that()
        .resideInAPackage("dev.weir.api..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("dev.weir.api..", "java..")
        .because("a job is compiled against the api alone")
        .check(runtime);
  }

  @Test
  void theBuiltInJobsAreWrittenAsUserCodeIs() {
    classes()
        .that()
        .resideInAPackage("dev.weir.jobs..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("dev.weir.jobs..", "dev.weir.api..", "java..")
        .because(
            "they are examples of a job compiled against weir-api alone (docs/writing-jobs.md)")
        .check(runtime);
  }

  @Test
  void theCheckpointProtocolAndTheStateBackendsDoNotKnowWhatRunsThem() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.weir.checkpoint..", "dev.weir.state..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(AROUND_THE_PROTOCOL)
        .because(
            "the coordinator reaches tasks through TaskGateway and hears them through"
                + " CheckpointResponder, in-process or over gRPC alike")
        .check(runtime);
  }

  @Test
  void theCoordinatorSideOfTheProtocolDoesNotKnowTheTaskSide() {
    noClasses()
        .that()
        .resideInAPackage("dev.weir.checkpoint")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.weir.checkpoint.barrier..")
        .because(
            "barriers and their handlers are the task side; the coordinator triggers, collects"
                + " acknowledgements and completes, whatever a task does in between")
        .check(runtime);
  }

  @Test
  void stateDoesNotKnowTheCheckpointProtocol() {
    noClasses()
        .that()
        .resideInAPackage("dev.weir.state..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.weir.checkpoint..")
        .because(
            "a backend snapshots and restores key groups; who asks, and when, is not its concern")
        .check(runtime);
  }

  @Test
  void theStateContractsImportNoBackendAndTheBackendsNotEachOther() {
    noClasses()
        .that()
        .resideInAPackage("dev.weir.state")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.weir.state.*..")
        .because("the contracts are what the rest of the runtime sees of state")
        .check(runtime);
    noClasses()
        .that()
        .resideInAPackage("dev.weir.state.heap..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.weir.state.rocksdb..", "dev.weir.state.backends..")
        .check(runtime);
    noClasses()
        .that()
        .resideInAPackage("dev.weir.state.rocksdb..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.weir.state.heap..", "dev.weir.state.backends..")
        .check(runtime);
  }

  @Test
  void theStatisticsModelDoesNotKnowWhoPresentsIt() {
    noClasses()
        .that()
        .resideInAPackage("dev.weir.stats..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.weir.web..",
            "dev.weir.net..",
            "dev.weir.runtime..",
            "dev.weir.runner..",
            "dev.weir.cli..")
        .because("gRPC, HTTP, the page, Prometheus and the console all read the same snapshot")
        .check(runtime);
  }

  @Test
  void storageKnowsOnlyFailureKinds() {
    noClasses()
        .that()
        .resideInAPackage("dev.weir.storage..")
        .should()
        .dependOnClassesThat(
            resideInAPackage("dev.weir..")
                .and(not(resideInAnyPackage("dev.weir.storage..", "dev.weir.failure.."))))
        .because("checkpoint storage is a file system: it knows nothing of what is stored")
        .check(runtime);
  }

  @Test
  void theTopLevelPackagesHaveNoCycles() {
    slices().matching("dev.weir.(*)..").should().beFreeOfCycles().check(runtime);
  }
}

package dev.weir.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weir.operator.api.JobState;
import dev.weir.operator.api.RestoreMode;
import dev.weir.operator.api.SavepointRequest;
import dev.weir.operator.api.SavepointTrigger;
import dev.weir.operator.api.StreamingJobStatus;
import dev.weir.operator.api.UpgradeKind;
import dev.weir.operator.api.UpgradeProgress;
import dev.weir.operator.api.UpgradeStep;
import dev.weir.operator.coordinator.JobObservation;
import dev.weir.operator.reconciler.TransitionPlan.Complete;
import dev.weir.operator.reconciler.TransitionPlan.Deploy;
import dev.weir.operator.reconciler.TransitionPlan.Fail;
import dev.weir.operator.reconciler.TransitionPlan.Proceed;
import dev.weir.operator.reconciler.TransitionPlan.RollBack;
import dev.weir.operator.reconciler.TransitionPlan.SavepointSettled;
import dev.weir.operator.reconciler.TransitionPlan.Start;
import dev.weir.operator.reconciler.TransitionPlan.Suspend;
import dev.weir.operator.reconciler.TransitionPlan.Wait;
import dev.weir.operator.reconciler.TransitionPlanner.Target;
import dev.weir.operator.resources.SpecCodec;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The transition decisions, each kind and each step, as pure functions: a status, an observation, a
 * plan. No API server and no coordinator.
 */
class TransitionPlannerTest {
  private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
  private static final String STARTED = "2026-12-03T11:59:00Z";
  private static final String LONG_AGO = "2026-12-03T11:00:00Z";
  private static final String OLD_JOB = "pv-1234abcd-1";
  private static final String NEXT_JOB = "pv-1234abcd-2";
  private static final String STABLE = spec("savepoint", 2, "w:1");
  private static final String TARGET = spec("savepoint", 3, "w:2");

  private final TransitionPlanner planner = new TransitionPlanner(Duration.ofMinutes(5));

  // ---- which transition the spec asks for

  @Test
  void aJobNeverDeployedIsDeployedWhenItShouldRun() {
    Target target = planner.wanted(SpecCodec.fromJson(STABLE), 1, new StreamingJobStatus());

    assertThat(target.kind()).isEqualTo(UpgradeKind.DEPLOY);
    assertThat(target.spec()).isEqualTo(STABLE);
    assertThat(target.state()).isEqualTo(JobState.RUNNING);
  }

  @Test
  void aJobNeverDeployedStaysSoWhenItShouldBeSuspended() {
    assertThat(
            planner.wanted(
                SpecCodec.fromJson(withState(STABLE, "suspended")), 1, new StreamingJobStatus()))
        .isNull();
  }

  @Test
  void suspendingTakesTheDeployedSpecNotTheEditedOne() {
    Target target =
        planner.wanted(SpecCodec.fromJson(withState(TARGET, "suspended")), 2, running());

    assertThat(target.kind()).isEqualTo(UpgradeKind.SUSPEND);
    assertThat(target.spec()).isEqualTo(STABLE);
    assertThat(target.generation()).isEqualTo(1);
    assertThat(target.state()).isEqualTo(JobState.SUSPENDED);
  }

  @Test
  void aSuspendedJobResumesWithTheDesiredSpec() {
    StreamingJobStatus s = running();
    s.deployedState = JobState.SUSPENDED;

    Target target = planner.wanted(SpecCodec.fromJson(TARGET), 3, s);

    assertThat(target.kind()).isEqualTo(UpgradeKind.RESUME);
    assertThat(target.spec()).isEqualTo(TARGET);
    assertThat(target.generation()).isEqualTo(3);
  }

  @Test
  void aChangeOfARestartFieldStartsAnUpgradeNamingTheFields() {
    Target target = planner.wanted(SpecCodec.fromJson(TARGET), 2, running());

    assertThat(target.kind()).isEqualTo(UpgradeKind.UPGRADE);
    assertThat(target.why()).isEqualTo("spec changed: image, parallelism (upgradeMode savepoint)");
  }

  @Test
  void aChangeOfOnlyIgnoredFieldsStartsNothing() {
    assertThat(planner.wanted(SpecCodec.fromJson(spec("last-state", 2, "w:1")), 2, running()))
        .isNull();
  }

  @Test
  void aGenerationThatWasRolledBackIsNotRetried() {
    StreamingJobStatus s = running();
    s.rolledBackGeneration = 2L;

    assertThat(planner.wanted(SpecCodec.fromJson(TARGET), 2, s)).isNull();
    assertThat(planner.wanted(SpecCodec.fromJson(TARGET), 3, s)).isNotNull();
  }

  // ---- how each kind starts

  @Test
  void aFirstDeploymentGetsAFreshJobIdWithoutState() {
    Start start =
        planner.begin(target(UpgradeKind.DEPLOY, STABLE), new StreamingJobStatus(), observed(null));

    UpgradeProgress u = start.progress();
    assertThat(u.step()).isEqualTo(UpgradeStep.DEPLOYING);
    assertThat(u.jobId()).isEqualTo("pv-1234abcd-1");
    assertThat(u.restore()).isEqualTo(RestoreMode.NONE);
    assertThat(u.savepointPath()).isNull();
    assertThat(start.jobCounter()).isEqualTo(1);
    assertThat(start.announcement()).isEqualTo("why (restore: none (fresh state))");
  }

  @Test
  void aFirstDeploymentRestoresTheInitialSavepointPath() {
    String spec = with(STABLE, "initialSavepointPath", "s3://b/imported");

    UpgradeProgress u =
        planner
            .begin(target(UpgradeKind.DEPLOY, spec), new StreamingJobStatus(), observed(null))
            .progress();

    assertThat(u.restore()).isEqualTo(RestoreMode.SAVEPOINT);
    assertThat(u.savepointPath()).isEqualTo("s3://b/imported");
  }

  @Test
  void aSavepointUpgradeOfARunningJobStartsWithAStopWithSavepoint() {
    Start start =
        planner.begin(target(UpgradeKind.UPGRADE, TARGET), running(), observed(runningJob(2)));

    UpgradeProgress u = start.progress();
    assertThat(u.step()).isEqualTo(UpgradeStep.SAVEPOINTING);
    assertThat(u.restore()).isEqualTo(RestoreMode.SAVEPOINT);
    assertThat(u.jobId()).as("a new job id").isEqualTo(NEXT_JOB);
    assertThat(u.targetSpec()).isEqualTo(TARGET);
    assertThat(u.savepoint())
        .isEqualTo(
            new SavepointRequest(
                OLD_JOB + "-upgrade-2",
                SavepointTrigger.UPGRADE,
                null,
                true,
                "2026-12-03T12:00:00Z"));
    assertThat(start.jobCounter()).isEqualTo(2);
    assertThat(start.savepointSkipped()).isNull();
    assertThat(start.announcement()).endsWith("(restore: savepoint to be taken)");
  }

  @Test
  void aSavepointUpgradeOfAJobThatIsNotRunningFallsBackToItsNewestCheckpoint() {
    StreamingJobStatus s = running();
    s.restoredFrom = "s3://b/first/savepoints/sp-1";
    JobObservation restarting =
        new JobObservation(OLD_JOB, "RESTARTING", 0, null, "task failed", null);

    Start start = planner.begin(target(UpgradeKind.UPGRADE, TARGET), s, observed(restarting));

    UpgradeProgress u = start.progress();
    assertThat(u.step()).isEqualTo(UpgradeStep.STOPPING);
    assertThat(u.restore()).isEqualTo(RestoreMode.LAST_STATE);
    assertThat(u.jobId()).as("the same job id").isEqualTo(OLD_JOB);
    assertThat(u.savepointPath()).isEqualTo(s.restoredFrom);
    assertThat(u.savepoint()).isNull();
    assertThat(start.savepointSkipped())
        .isEqualTo(u.note())
        .isEqualTo(
            "no savepoint: the job is RESTARTING (task failed); restoring the newest retained"
                + " checkpoint of job "
                + OLD_JOB);
    assertThat(start.jobCounter()).as("a start always issues a counter").isEqualTo(2);
  }

  @Test
  void aLastStateUpgradeRestartsTheSameJobIdWithoutASavepoint() {
    UpgradeProgress u =
        startFromTheRunningJob(target(UpgradeKind.UPGRADE, spec("last-state", 3, "w:2")));

    assertThat(u.step()).isEqualTo(UpgradeStep.STOPPING);
    assertThat(u.restore()).isEqualTo(RestoreMode.LAST_STATE);
    assertThat(u.jobId()).isEqualTo(OLD_JOB);
    assertThat(u.savepoint()).isNull();
  }

  @Test
  void aStatelessUpgradeDeploysAFreshJobIdWithoutState() {
    UpgradeProgress u =
        startFromTheRunningJob(target(UpgradeKind.UPGRADE, spec("stateless", 3, "w:2")));

    assertThat(u.step()).isEqualTo(UpgradeStep.STOPPING);
    assertThat(u.restore()).isEqualTo(RestoreMode.NONE);
    assertThat(u.jobId()).isEqualTo(NEXT_JOB);
  }

  @Test
  void suspendingTakesASavepointInLastStateModeToo() {
    UpgradeProgress u =
        startFromTheRunningJob(
            new Target(
                UpgradeKind.SUSPEND,
                spec("last-state", 2, "w:1"),
                1,
                JobState.SUSPENDED,
                "state: suspended"));

    assertThat(u.step()).isEqualTo(UpgradeStep.SAVEPOINTING);
    assertThat(u.savepoint().trigger()).isEqualTo(SavepointTrigger.SUSPEND);
    assertThat(u.savepoint().requestId()).isEqualTo(OLD_JOB + "-suspend-2");
    assertThat(u.targetState()).isEqualTo(JobState.SUSPENDED);
  }

  @Test
  void suspendingAStatelessJobTakesNoSavepoint() {
    UpgradeProgress u =
        startFromTheRunningJob(
            new Target(
                UpgradeKind.SUSPEND, spec("stateless", 2, "w:1"), 1, JobState.SUSPENDED, "s"));

    assertThat(u.step()).isEqualTo(UpgradeStep.STOPPING);
    assertThat(u.restore()).isEqualTo(RestoreMode.NONE);
  }

  @Test
  void resumingRestoresTheSuspendSavepointAsAFreshJobId() {
    StreamingJobStatus s = suspended("s3://b/pv/savepoints/sp-3");

    UpgradeProgress u =
        planner.begin(target(UpgradeKind.RESUME, TARGET), s, observed(null)).progress();

    assertThat(u.step()).isEqualTo(UpgradeStep.DEPLOYING);
    assertThat(u.restore()).isEqualTo(RestoreMode.SAVEPOINT);
    assertThat(u.savepointPath()).isEqualTo("s3://b/pv/savepoints/sp-3");
    assertThat(u.jobId()).isEqualTo(NEXT_JOB);
  }

  @Test
  void resumingWithoutASuspendSavepointRestoresTheNewestCheckpointOfTheSameJobId() {
    StreamingJobStatus s = suspended(null);
    s.restoredFrom = "s3://b/first/savepoints/sp-1";

    UpgradeProgress u =
        planner.begin(target(UpgradeKind.RESUME, TARGET), s, observed(null)).progress();

    assertThat(u.restore()).isEqualTo(RestoreMode.LAST_STATE);
    assertThat(u.jobId()).isEqualTo(OLD_JOB);
    assertThat(u.savepointPath()).isEqualTo(s.restoredFrom);
  }

  @Test
  void resumingAStatelessJobWithoutASavepointStartsFresh() {
    UpgradeProgress u =
        planner
            .begin(
                target(UpgradeKind.RESUME, spec("stateless", 2, "w:1")),
                suspended(null),
                observed(null))
            .progress();

    assertThat(u.restore()).isEqualTo(RestoreMode.NONE);
    assertThat(u.jobId()).isEqualTo(NEXT_JOB);
  }

  // ---- SAVEPOINTING

  @Test
  void aSavepointStillUnderWayWaits() {
    StreamingJobStatus s = upgrading(UpgradeStep.SAVEPOINTING);

    assertThat(planner.next(s, observed(runningJob(2)).withSavepoint(SavepointVerdict.IN_PROGRESS)))
        .isInstanceOf(Wait.class);
  }

  @Test
  void aCompletedSavepointIsRecordedAsTheRestorePathBeforeThePodsAreStopped() {
    StreamingJobStatus s = upgrading(UpgradeStep.SAVEPOINTING);

    TransitionPlan plan =
        planner.next(
            s, observed(runningJob(2)).withSavepoint(SavepointVerdict.completed("s3://b/sp-2")));

    SavepointSettled settled = (SavepointSettled) plan;
    assertThat(settled.next().step()).isEqualTo(UpgradeStep.STOPPING);
    assertThat(settled.next().restore()).isEqualTo(RestoreMode.SAVEPOINT);
    assertThat(settled.next().savepointPath()).isEqualTo("s3://b/sp-2");
    assertThat(settled.next().savepoint()).as("no longer in flight").isNull();
    assertThat(settled.next().jobId()).isEqualTo(NEXT_JOB);
    assertThat(settled.next().stepStartedAt()).isEqualTo("2026-12-03T12:00:00Z");
    assertThat(settled.subject()).isEqualTo("stop-with-savepoint of job " + OLD_JOB);
    assertThat(settled.consequence()).isNull();
  }

  @Test
  void aFailedSavepointFallsBackToTheNewestCheckpointOfTheSameJobId() {
    StreamingJobStatus s = upgrading(UpgradeStep.SAVEPOINTING);
    s.restoredFrom = "s3://b/first/savepoints/sp-1";

    SavepointSettled settled =
        (SavepointSettled)
            planner.next(
                s,
                observed(runningJob(2))
                    .withSavepoint(SavepointVerdict.failed("task 1 declined the savepoint")));

    UpgradeProgress next = settled.next();
    assertThat(next.step()).isEqualTo(UpgradeStep.STOPPING);
    assertThat(next.restore()).isEqualTo(RestoreMode.LAST_STATE);
    assertThat(next.jobId()).isEqualTo(OLD_JOB);
    assertThat(next.savepointPath()).isEqualTo(s.restoredFrom);
    assertThat(next.savepoint()).isNull();
    assertThat(next.note())
        .isEqualTo(
            "savepoint failed: task 1 declined the savepoint; restoring the newest retained"
                + " checkpoint of job "
                + OLD_JOB);
    assertThat(settled.consequence())
        .isEqualTo("restoring the newest retained checkpoint of job " + OLD_JOB);
  }

  // ---- STOPPING

  @Test
  void stoppingWaitsUntilTheOldPodsAreGone() {
    assertThat(planner.next(upgrading(UpgradeStep.STOPPING), observed(null).withPodsGone(false)))
        .isInstanceOf(Wait.class);
  }

  @Test
  void withTheOldPodsGoneTheTargetIsDeployedNext() {
    Proceed proceed =
        (Proceed) planner.next(upgrading(UpgradeStep.STOPPING), observed(null).withPodsGone(true));

    assertThat(proceed.next().step()).isEqualTo(UpgradeStep.DEPLOYING);
  }

  @Test
  void aSuspendEndsWithThePodsGoneAndResumesFromItsSavepoint() {
    StreamingJobStatus s = upgrading(UpgradeStep.STOPPING);
    s.upgrade = suspendProgress(RestoreMode.SAVEPOINT, "s3://b/sp-2");

    Suspend suspend = (Suspend) planner.next(s, observed(null).withPodsGone(true));

    assertThat(suspend.resumeSavepoint()).isEqualTo("s3://b/sp-2");
    assertThat(suspend.message()).isEqualTo("pods removed; resumes from s3://b/sp-2");
  }

  @Test
  void aSuspendWithoutASavepointResumesFromTheNewestCheckpoint() {
    StreamingJobStatus s = upgrading(UpgradeStep.STOPPING);
    s.upgrade = suspendProgress(RestoreMode.LAST_STATE, "s3://b/first");

    Suspend suspend = (Suspend) planner.next(s, observed(null).withPodsGone(true));

    assertThat(suspend.resumeSavepoint()).isNull();
    assertThat(suspend.message()).endsWith("the newest checkpoint of job " + OLD_JOB);
  }

  // ---- DEPLOYING

  @Test
  void deployingAppliesTheTargetAsTheNewJobIdRestoringTheRecordedPath() {
    StreamingJobStatus s = upgrading(UpgradeStep.DEPLOYING);
    s.upgrade = s.upgrade.withRestore(RestoreMode.SAVEPOINT, "s3://b/sp-2", null);

    Deploy deploy = (Deploy) planner.next(s, observed(runningJob(2)));

    assertThat(deploy.spec()).isEqualTo(SpecCodec.fromJson(TARGET));
    assertThat(deploy.jobId()).isEqualTo(NEXT_JOB);
    assertThat(deploy.restorePath()).isEqualTo("s3://b/sp-2");
    assertThat(deploy.next().step()).isEqualTo(UpgradeStep.AWAITING_READY);
    assertThat(deploy.message())
        .isEqualTo("job " + NEXT_JOB + " at parallelism 3, restore: savepoint s3://b/sp-2");
  }

  @Test
  void aStatelessDeploymentRestoresNothingEvenWithAPathRecorded() {
    StreamingJobStatus s = upgrading(UpgradeStep.DEPLOYING);
    s.upgrade = s.upgrade.withRestore(RestoreMode.NONE, "s3://b/ignored", null);

    assertThat(((Deploy) planner.next(s, observed(null))).restorePath()).isNull();
  }

  // ---- AWAITING_READY

  @Test
  void theNewJobRunningAtTheTargetParallelismCompletesTheUpgrade() {
    Complete complete =
        (Complete)
            planner.next(
                upgrading(UpgradeStep.AWAITING_READY), observed(job(NEXT_JOB, "RUNNING", 3)));

    assertThat(complete.event()).isEqualTo("JobRunning");
    assertThat(complete.message()).isEqualTo("job " + NEXT_JOB + " running at parallelism 3");
  }

  @Test
  void aBoundedJobThatRanToItsEndCompletesTheUpgradeToo() {
    Complete complete =
        (Complete)
            planner.next(
                upgrading(UpgradeStep.AWAITING_READY), observed(job(NEXT_JOB, "FINISHED", 0)));

    assertThat(complete.message()).isEqualTo("job " + NEXT_JOB + " ran to its end");
  }

  @Test
  void theEndOfARollbackIsToldAsRolledBack() {
    StreamingJobStatus s = upgrading(UpgradeStep.AWAITING_READY);
    s.upgrade = rollbackProgress(UpgradeStep.AWAITING_READY);

    Complete complete = (Complete) planner.next(s, observed(job(NEXT_JOB, "RUNNING", 2)));

    assertThat(complete.event()).isEqualTo("RolledBack");
  }

  @Test
  void theNewJobNotYetAtItsParallelismOrTheOldCoordinatorStillAnsweringWaits() {
    StreamingJobStatus s = upgrading(UpgradeStep.AWAITING_READY);

    assertThat(planner.next(s, observed(job(NEXT_JOB, "RUNNING", 2)))).isInstanceOf(Wait.class);
    assertThat(planner.next(s, observed(job(OLD_JOB, "RUNNING", 3)))).isInstanceOf(Wait.class);
    assertThat(planner.next(s, observed(job(NEXT_JOB, "CREATED", 0)))).isInstanceOf(Wait.class);
    assertThat(planner.next(s, observed(null))).isInstanceOf(Wait.class);
  }

  @Test
  void aFailedUpgradeRollsBackToTheStableSpecFromTheUpgradesSavepoint() {
    StreamingJobStatus s = upgrading(UpgradeStep.AWAITING_READY);
    s.upgrade = s.upgrade.withRestore(RestoreMode.SAVEPOINT, "s3://b/sp-2", null);
    s.jobId = NEXT_JOB; // deployed
    s.jobCounter = 2;
    JobObservation failed =
        new JobObservation(NEXT_JOB, "FAILED", 0, null, "ClassNotFoundException: bad", null);

    RollBack rollBack = (RollBack) planner.next(s, observed(failed));

    UpgradeProgress back = rollBack.rollback();
    assertThat(back.kind()).isEqualTo(UpgradeKind.ROLLBACK);
    assertThat(back.step()).isEqualTo(UpgradeStep.STOPPING);
    assertThat(back.targetSpec()).isEqualTo(STABLE);
    assertThat(back.targetGeneration()).isEqualTo(1);
    assertThat(back.restore()).isEqualTo(RestoreMode.SAVEPOINT);
    assertThat(back.savepointPath()).isEqualTo("s3://b/sp-2");
    assertThat(back.jobId()).as("a fresh job id").isEqualTo("pv-1234abcd-3");
    assertThat(rollBack.jobCounter()).isEqualTo(3);
    assertThat(back.note()).isEqualTo("the job failed: ClassNotFoundException: bad");
    assertThat(rollBack.error())
        .isEqualTo(
            "upgrade to generation 2 failed: the job failed: ClassNotFoundException: bad;"
                + " rolled back to generation 1");
  }

  @Test
  void aLastStateRollbackKeepsTheJobIdAndTheCounter() {
    StreamingJobStatus s = upgrading(UpgradeStep.AWAITING_READY);
    s.upgrade = s.upgrade.withRestore(RestoreMode.LAST_STATE, null, null).withJobId(OLD_JOB);

    RollBack rollBack =
        (RollBack)
            planner.next(s, observed(new JobObservation(OLD_JOB, "FAILED", 0, null, "x", null)));

    assertThat(rollBack.rollback().jobId()).isEqualTo(OLD_JOB);
    assertThat(rollBack.rollback().restore()).isEqualTo(RestoreMode.LAST_STATE);
    assertThat(rollBack.jobCounter()).isEqualTo(s.jobCounter);
  }

  @Test
  void podsThatCrashAtStartRollBackWithoutWaitingForTheTimeout() {
    PodHealth crashing =
        new PodHealth(PodHealth.CONTAINER_RESTARTED, "worker pod pv-workers-0: exit code 1", 2);

    RollBack rollBack =
        (RollBack)
            planner.next(
                upgrading(UpgradeStep.AWAITING_READY),
                observed(job(NEXT_JOB, "RESTARTING", 0), crashing));

    assertThat(rollBack.rollback().note())
        .isEqualTo("its pods fail at start; worker pod pv-workers-0: exit code 1");
  }

  @Test
  void aJobNotReadyWithinTheUpgradeTimeoutRollsBack() {
    StreamingJobStatus s = upgrading(UpgradeStep.AWAITING_READY);
    s.upgrade = s.upgrade.withStep(UpgradeStep.AWAITING_READY, LONG_AGO);

    RollBack rollBack = (RollBack) planner.next(s, observed(job(NEXT_JOB, "CREATED", 0)));

    assertThat(rollBack.rollback().note()).isEqualTo("not Ready within PT5M (job CREATED)");
  }

  @Test
  void theSpecsUpgradeTimeoutOverridesTheOperatorsDefault() {
    StreamingJobStatus s = upgrading(UpgradeStep.AWAITING_READY);
    String patient = with(TARGET, "upgradeTimeout", "2h");
    s.upgrade = progress(UpgradeKind.UPGRADE, UpgradeStep.AWAITING_READY, patient, LONG_AGO);

    assertThat(planner.next(s, observed(job(NEXT_JOB, "CREATED", 0)))).isInstanceOf(Wait.class);
  }

  @Test
  void aFailedFirstDeploymentFailsWithNothingToGoBackTo() {
    StreamingJobStatus s = new StreamingJobStatus();
    s.upgrade = progress(UpgradeKind.DEPLOY, UpgradeStep.AWAITING_READY, STABLE, STARTED);

    Fail fail =
        (Fail)
            planner.next(
                s, observed(new JobObservation(NEXT_JOB, "FAILED", 0, null, "bad jar", null)));

    assertThat(fail.error()).isEqualTo("deploy of generation 2 failed: the job failed: bad jar");
  }

  @Test
  void aFailedRollbackIsNotRolledBackFurther() {
    StreamingJobStatus s = upgrading(UpgradeStep.AWAITING_READY);
    s.upgrade = rollbackProgress(UpgradeStep.AWAITING_READY);

    assertThat(planner.next(s, observed(job(NEXT_JOB, "FAILED", 0)))).isInstanceOf(Fail.class);
  }

  @Test
  void anUpgradeToTheStableSpecItselfIsNotRolledBack() {
    StreamingJobStatus s = upgrading(UpgradeStep.AWAITING_READY);
    s.stableSpec = TARGET;

    assertThat(planner.next(s, observed(job(NEXT_JOB, "FAILED", 0)))).isInstanceOf(Fail.class);
  }

  @Test
  void planningNeverChangesTheStatusItReads() {
    StreamingJobStatus s = upgrading(UpgradeStep.AWAITING_READY);
    String before = StatusRecorder.fingerprint(s);

    planner.next(s, observed(job(NEXT_JOB, "FAILED", 0)));
    planner.begin(target(UpgradeKind.UPGRADE, TARGET), s, observed(runningJob(2)));
    planner.wanted(SpecCodec.fromJson(TARGET), 2, s);

    assertThat(StatusRecorder.fingerprint(s)).isEqualTo(before);
  }

  // ---- fixtures

  private static String spec(String mode, int parallelism, String image) {
    return SpecCodec.toJson(
        SpecCodec.fromJson(
            "{\"image\":\""
                + image
                + "\",\"job\":{\"entryClass\":\"dev.weir.jobs.PageViewCount\"},\"parallelism\":"
                + parallelism
                + ",\"storage\":{\"endpoint\":\"http://minio:9000\",\"bucket\":\"b\"},"
                + "\"upgradeMode\":\""
                + mode
                + "\"}"));
  }

  private static String withState(String spec, String state) {
    return with(spec, "state", state);
  }

  private static String with(String spec, String field, String value) {
    ObjectNode tree = (ObjectNode) SpecCodec.readTree(spec);
    tree.put(field, value);
    return SpecCodec.toJson(SpecCodec.fromJson(tree.toString()));
  }

  private static Target target(UpgradeKind kind, String spec) {
    return new Target(kind, spec, 2, JobState.RUNNING, "why");
  }

  /** Generation 1 (STABLE) running as OLD_JOB, the first job id issued. */
  private static StreamingJobStatus running() {
    StreamingJobStatus s = new StreamingJobStatus();
    s.deployedState = JobState.RUNNING;
    s.deployedSpec = STABLE;
    s.deployedGeneration = 1L;
    s.stableSpec = STABLE;
    s.stableGeneration = 1L;
    s.jobId = OLD_JOB;
    s.jobCounter = 1;
    return s;
  }

  /** How a transition to {@code target} starts from {@link #running()}, the job running. */
  private UpgradeProgress startFromTheRunningJob(Target target) {
    return planner.begin(target, running(), observed(runningJob(2))).progress();
  }

  private static StreamingJobStatus suspended(String resumeSavepoint) {
    StreamingJobStatus s = running();
    s.deployedState = JobState.SUSPENDED;
    s.resumeSavepoint = resumeSavepoint;
    return s;
  }

  /** An upgrade of {@link #running()} to TARGET (generation 2) as NEXT_JOB, at {@code step}. */
  private static StreamingJobStatus upgrading(UpgradeStep step) {
    StreamingJobStatus s = running();
    s.jobCounter = 2;
    s.upgrade = progress(UpgradeKind.UPGRADE, step, TARGET, STARTED);
    return s;
  }

  private static UpgradeProgress progress(
      UpgradeKind kind, UpgradeStep step, String spec, String stepStartedAt) {
    SavepointRequest request =
        step == UpgradeStep.SAVEPOINTING
            ? new SavepointRequest(
                OLD_JOB + "-upgrade-2", SavepointTrigger.UPGRADE, null, true, STARTED)
            : null;
    return new UpgradeProgress(
        kind,
        step,
        2L,
        spec,
        JobState.RUNNING,
        RestoreMode.SAVEPOINT,
        request,
        null,
        NEXT_JOB,
        STARTED,
        stepStartedAt,
        null);
  }

  private static UpgradeProgress suspendProgress(RestoreMode restore, String path) {
    return new UpgradeProgress(
        UpgradeKind.SUSPEND,
        UpgradeStep.STOPPING,
        1L,
        STABLE,
        JobState.SUSPENDED,
        restore,
        null,
        path,
        NEXT_JOB,
        STARTED,
        STARTED,
        null);
  }

  private static UpgradeProgress rollbackProgress(UpgradeStep step) {
    return new UpgradeProgress(
        UpgradeKind.ROLLBACK,
        step,
        1L,
        STABLE,
        JobState.RUNNING,
        RestoreMode.SAVEPOINT,
        null,
        "s3://b/sp-2",
        NEXT_JOB,
        STARTED,
        STARTED,
        "the job failed");
  }

  private static JobObservation runningJob(int parallelism) {
    return job(OLD_JOB, "RUNNING", parallelism);
  }

  private static JobObservation job(String jobId, String status, int parallelism) {
    return new JobObservation(jobId, status, parallelism, null, null, null);
  }

  private static Observed observed(JobObservation job) {
    return observed(job, null);
  }

  private static Observed observed(JobObservation job, PodHealth pods) {
    return new Observed(
        "pv",
        "1234abcd-0000-4000-8000-000000000000",
        NOW,
        job,
        job == null ? "coordinator unreachable: gone" : null,
        pods,
        null,
        null);
  }
}

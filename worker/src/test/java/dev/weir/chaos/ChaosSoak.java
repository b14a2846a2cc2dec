package dev.weir.chaos;

import dev.weir.chaos.ChaosRun.Outcome;
import dev.weir.chaos.ChaosRun.Report;
import dev.weir.chaos.ChaosRun.Workload;
import dev.weir.testbed.MinioServer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The chaos soak ({@code tools/chaos.sh}): {@code --runs N} runs of PageViewCount on real
 * coordinator and worker processes with checkpoints and output on a real MinIO, each under the
 * fault schedule {@link ChaosPlan#draw} gives for {@code (--seed, run)}; every run's committed
 * output is checked for exactly 1..N/K per key. Prints each run's plan and result, then a summary
 * table; exit 0 only if no run lost or duplicated a count or got stuck, 1 otherwise, 2 for a bad
 * option.
 *
 * <p>Runs one job at a time, on the thread that calls {@link #call()}.
 */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description =
        "Run PageViewCount under a seeded random schedule of faults (worker and coordinator"
            + " SIGKILL, SIGSTOP pauses, MinIO outages, savepoint rescales) and check that its"
            + " committed output is exactly-once.")
public final class ChaosSoak implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--runs", defaultValue = "10", description = "runs of the soak")
  int runs;

  @Option(
      names = "--seed",
      description = "seed of the schedules (default: random, printed); same seed, same schedules")
  Long seed;

  @Option(
      names = "--run",
      paramLabel = "I",
      description = "replay only run I (0-based) of the seed's schedules")
  Integer run;

  @Option(names = "--events", defaultValue = "20000", description = "page views per run")
  long events;

  @Option(names = "--keys", defaultValue = "20", description = "apps; must divide --events")
  int keys;

  @Option(
      names = "--rate",
      defaultValue = "2000",
      description = "events/s per source subtask (the length of a run without faults)")
  long rate;

  @Option(
      names = "--work-dir",
      description = "logs of the runs (default: a temp dir); kept only for runs that failed")
  Path workDir;

  @Option(names = "--keep", description = "keep the logs of every run")
  boolean keep;

  @Option(
      names = "--plans-only",
      description = "print the schedules and exit without running anything")
  boolean plansOnly;

  @Option(
      names = "--commit",
      defaultValue = "unknown",
      description = "the commit under test, for the summary")
  String commit;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ChaosSoak()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    validate();
    long s = seed != null ? seed : new java.util.SplittableRandom().nextLong(1, 1_000_000);
    List<ChaosPlan> plans = plans(s, runs, run);
    PrintStream out = System.out;
    out.printf(
        "chaos soak: seed %d, runs %s, %d events over %d apps at %d/s per source subtask, commit"
            + " %s%n",
        s, run == null ? String.valueOf(runs) : "only " + run, events, keys, rate, commit);
    if (plansOnly) {
      plans.forEach(out::println);
      return 0;
    }
    Path dir = workDir != null ? workDir : Files.createTempDirectory("weir-chaos-");
    List<Report> reports = java.util.Collections.synchronizedList(new ArrayList<>());
    // a soak cut short (SIGTERM, Ctrl-C) still prints the figures of the runs it completed, and
    // leaves no process behind (the coordinator and MinIO are no children that end by themselves)
    Thread interrupted =
        new Thread(
            () -> {
              out.printf("%nINTERRUPTED after %d completed runs%n", reports.size());
              out.print(SoakSummary.of(s, commit, List.copyOf(reports)).table());
              out.flush();
              ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
            });
    Runtime.getRuntime().addShutdownHook(interrupted);
    soak(plans, new Workload(events, keys, rate), dir, keep, out, reports);
    Runtime.getRuntime().removeShutdownHook(interrupted);
    SoakSummary summary = SoakSummary.of(s, commit, reports);
    out.println();
    out.println("CHAOS SUMMARY (one row per soak; faults by kind)");
    out.print(summary.table());
    reports.stream()
        .filter(r -> r.outcome() != Outcome.EXACT)
        .forEach(
            r ->
                out.printf(
                    "FAILED run %d (%s): replay with --seed %d --run %d; logs in %s%n",
                    r.plan().run(), r.outcome(), s, r.plan().run(), runDir(dir, r.plan())));
    out.println(summary.clean() ? "RESULT chaos=PASS" : "RESULT chaos=FAIL");
    return summary.clean() ? 0 : 1;
  }

  private void validate() {
    List<String> problems = new ArrayList<>();
    if (runs < 1) {
      problems.add("--runs " + runs + ": at least 1");
    }
    if (run != null && (run < 0 || run >= runs)) {
      problems.add("--run " + run + ": one of 0.." + (runs - 1) + " (--runs " + runs + ")");
    }
    if (keys < 1) {
      problems.add("--keys " + keys + ": at least 1");
    } else if (events < keys || events % keys != 0) {
      problems.add("--events " + events + ": a positive multiple of --keys " + keys);
    }
    if (rate < 0) {
      problems.add("--rate " + rate + ": 0 (unlimited) or more");
    }
    if (System.getenv("WEIR_S3_ACCESS_KEY") == null
        || System.getenv("WEIR_S3_SECRET_KEY") == null) {
      problems.add("WEIR_S3_ACCESS_KEY and WEIR_S3_SECRET_KEY must be set (MinIO's credentials)");
    }
    if (!problems.isEmpty()) {
      throw new ParameterException(spec.commandLine(), String.join("; ", problems));
    }
  }

  /** The plans of runs {@code 0..runs-1} of {@code seed}, or of {@code only} alone. */
  static List<ChaosPlan> plans(long seed, int runs, Integer only) {
    IntStream indices = only != null ? IntStream.of(only) : IntStream.range(0, runs);
    return indices.mapToObj(i -> ChaosPlan.draw(seed, i)).toList();
  }

  /**
   * Runs {@code plans} one after another against one MinIO started here; logs each plan and result
   * to {@code out}.
   */
  static List<Report> soak(
      List<ChaosPlan> plans, Workload workload, Path dir, boolean keep, PrintStream out)
      throws Exception {
    return soak(plans, workload, dir, keep, out, new ArrayList<>());
  }

  /** {@link #soak(List, Workload, Path, boolean, PrintStream)}, adding to {@code reports}. */
  private static List<Report> soak(
      List<ChaosPlan> plans,
      Workload workload,
      Path dir,
      boolean keep,
      PrintStream out,
      List<Report> reports)
      throws Exception {
    try (MinioServer minio =
        MinioServer.start(
            "weir", System.getenv("WEIR_S3_ACCESS_KEY"), System.getenv("WEIR_S3_SECRET_KEY"))) {
      for (ChaosPlan plan : plans) {
        out.println(plan);
        Path runDir = runDir(dir, plan);
        Report report = new ChaosRun(plan, workload, minio, runDir, out).execute();
        out.printf(
            "RUN %d %s injected=%s skipped=%s lost=%d duplicated=%d worker-restarts=%d"
                + " unplanned-coordinator-exits=%d %ds%s%n",
            plan.run(),
            report.outcome(),
            report.injected(),
            report.skipped(),
            report.lost(),
            report.duplicated(),
            report.workerRestarts(),
            report.unplannedCoordinatorExits(),
            report.elapsed().toSeconds(),
            report.detail().isEmpty() ? "" : " " + report.detail());
        out.flush();
        if (report.outcome() == Outcome.EXACT && !keep) {
          deleteRecursively(runDir);
        }
        reports.add(report);
      }
    }
    return reports;
  }

  private static Path runDir(Path dir, ChaosPlan plan) {
    return dir.resolve("seed-" + plan.seed() + "-run-" + plan.run());
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

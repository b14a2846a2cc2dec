package dev.weir.runner;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker child processes of local mode, supervised the way Kubernetes supervises worker pods: a
 * worker that dies (a test SIGKILLs one) is started again with the same index, and the coordinator
 * restores the job once it has reconnected.
 *
 * <p>Threading: one supervisor thread owns the process table; {@link #close()} stops it first.
 */
public final class WorkerProcesses implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerProcesses.class);

  /**
   * Options of worker JVMs (also in worker/Dockerfile), measured in docs/performance.md:
   *
   * <ul>
   *   <li>JIT thresholds: C2 compiles a method only after 25 times the default tier-4 counts. The
   *       task loops cross them within a fraction of a second and are compiled as before; the
   *       transport's per-message code (gRPC, Netty: a few thousand calls per second) stays
   *       C1-compiled instead of occupying a core with C2 compilations for the first ~20 s of every
   *       worker JVM.
   *   <li>Transparent huge pages for the heap (where the kernel offers them on request, {@code
   *       madvise}): a fresh worker touches hundreds of MB of new heap while records flow, and a
   *       page fault per 2 MiB instead of per 4 KiB cut the faults of a run by three quarters.
   *       Pre-touching the heap instead would add seconds to every worker start, i.e. to recovery.
   * </ul>
   */
  static final List<String> JVM_OPTIONS =
      List.of(
          "-XX:Tier4InvocationThreshold=125000",
          "-XX:Tier4MinInvocationThreshold=15000",
          "-XX:Tier4CompileThreshold=150000",
          "-XX:Tier4BackEdgeThreshold=1000000",
          "-XX:+UseTransparentHugePages");

  private final List<String> baseCommand;
  private final Path logDir;
  private final Process[] processes;
  private final ScheduledExecutorService supervisor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "worker-supervisor");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean closed;
  private int restarts;

  /**
   * @param manifest the manifest every worker reads
   * @param coordinator host:port of the coordinator's control port
   */
  public WorkerProcesses(
      int parallelism, Path manifest, String coordinator, String jobId, Path workDir) {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    command.add(javaBin);
    command.addAll(JVM_OPTIONS);
    // later options win: WEIR_WORKER_JAVA_OPTS may override these options too
    String opts = System.getenv().getOrDefault("WEIR_WORKER_JAVA_OPTS", "-Xmx2g");
    for (String opt : opts.trim().split("\\s+")) {
      if (!opt.isEmpty()) {
        command.add(opt);
      }
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "dev.weir.cli.WeirCommand",
            "worker",
            manifest.toAbsolutePath().toString(),
            "--coordinator",
            coordinator,
            "--job-id",
            jobId,
            "--bind",
            "127.0.0.1",
            "--advertise-host",
            "127.0.0.1",
            "--work-dir",
            workDir.toString()));
    this.baseCommand = List.copyOf(command);
    this.logDir = workDir;
    this.processes = new Process[parallelism];
    for (int i = 0; i < parallelism; i++) {
      processes[i] = launch(i);
    }
    supervisor.scheduleWithFixedDelay(this::supervise, 100, 100, TimeUnit.MILLISECONDS);
  }

  private Process launch(int index) {
    List<String> command = new ArrayList<>(baseCommand);
    command.addAll(List.of("--index", String.valueOf(index)));
    File log = logDir.resolve("worker-" + index + ".log").toFile();
    log.getParentFile().mkdirs();
    try {
      return new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start worker " + index, e);
    }
  }

  private synchronized void supervise() {
    if (closed) {
      return;
    }
    for (int i = 0; i < processes.length; i++) {
      if (!processes[i].isAlive()) {
        restarts++;
        LOG.warn(
            "worker {} (pid {}) exited with {}; starting it again",
            i,
            processes[i].pid(),
            processes[i].exitValue());
        processes[i] = launch(i);
      }
    }
  }

  /** Process ids of the current workers, by index. */
  public synchronized long[] pids() {
    long[] pids = new long[processes.length];
    for (int i = 0; i < processes.length; i++) {
      pids[i] = processes[i].pid();
    }
    return pids;
  }

  public synchronized int restarts() {
    return restarts;
  }

  public Path logDir() {
    return logDir;
  }

  @Override
  public synchronized void close() {
    closed = true;
    supervisor.shutdownNow();
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }
}

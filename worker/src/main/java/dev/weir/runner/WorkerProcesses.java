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
 * <p>The workers never outlive this process: {@link #close()} stops them, and each is started with
 * {@code --parent-pid} of this process, so that it ends by itself when this process is killed
 * (SIGKILL runs no shutdown hook).
 *
 * <p>Threading: the process table is guarded by this object's monitor; one supervisor thread
 * restarts dead workers; {@link #stopRestarting()} and {@link #close()} may be called from any
 * thread (a shutdown hook).
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
  private String coordinator;
  private boolean restarting = true;
  private boolean closed;
  private int restarts;

  /**
   * Starts the workers at once.
   *
   * @param manifest the manifest every worker reads
   * @param coordinator host:port of the coordinator's control port
   */
  public WorkerProcesses(
      int parallelism, Path manifest, String coordinator, String jobId, Path workDir) {
    this(parallelism, manifest, jobId, workDir);
    start(coordinator);
  }

  /**
   * Workers to be started by {@link #start(String)} once the coordinator listens (it is closed
   * first, so it is created after them).
   */
  public WorkerProcesses(int parallelism, Path manifest, String jobId, Path workDir) {
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
            "--job-id",
            jobId,
            "--bind",
            "127.0.0.1",
            "--advertise-host",
            "127.0.0.1",
            "--work-dir",
            workDir.toString(),
            "--parent-pid",
            String.valueOf(ProcessHandle.current().pid())));
    this.baseCommand = List.copyOf(command);
    this.logDir = workDir;
    this.processes = new Process[parallelism];
  }

  /**
   * Starts one worker per index, connecting to {@code coordinator} (host:port of its control port),
   * and supervises them.
   */
  public synchronized void start(String coordinator) {
    if (this.coordinator != null) {
      throw new IllegalStateException("already started");
    }
    this.coordinator = coordinator;
    for (int i = 0; i < processes.length; i++) {
      processes[i] = launch(i);
    }
    supervisor.scheduleWithFixedDelay(this::supervise, 100, 100, TimeUnit.MILLISECONDS);
  }

  private Process launch(int index) {
    List<String> command = new ArrayList<>(baseCommand);
    command.addAll(List.of("--coordinator", coordinator, "--index", String.valueOf(index)));
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
    if (closed || !restarting) {
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

  /** Process ids of the current workers, by index (-1 before {@link #start}). */
  public synchronized long[] pids() {
    long[] pids = new long[processes.length];
    for (int i = 0; i < processes.length; i++) {
      pids[i] = processes[i] == null ? -1 : processes[i].pid();
    }
    return pids;
  }

  /**
   * A worker that dies from now on stays dead (the job is being cancelled: a Ctrl-C in a terminal
   * reaches the workers too, and they must not be started again).
   */
  public synchronized void stopRestarting() {
    restarting = false;
  }

  public synchronized int restarts() {
    return restarts;
  }

  public Path logDir() {
    return logDir;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    supervisor.shutdownNow();
    for (Process p : processes) {
      if (p != null) {
        p.destroy();
      }
    }
    for (Process p : processes) {
      if (p == null) {
        continue;
      }
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          LOG.warn("worker (pid {}) did not stop within 5 s of SIGTERM; killing it", p.pid());
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }
}

package io.vodflow.media;

import io.quarkus.runtime.StartupEvent;
import io.vodflow.config.VodflowConfig;
import io.vodflow.support.Directories;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.bytedeco.javacpp.Loader;
import org.jboss.logging.Logger;

/**
 * Finds ffmpeg and ffprobe, checks them once at start-up (beside the rest of the start-up) and runs
 * them. Each is taken from configuration, else from the org.bytedeco ffmpeg jar on the classpath
 * (extracted once into the JavaCPP cache), else from the PATH; a start-up error names every candidate
 * and why it was refused.
 */
@Singleton
public class FfmpegTools {

    private static final Logger LOG = Logger.getLogger(FfmpegTools.class);
    /** Encoders the local engine's output needs. */
    static final List<String> REQUIRED_ENCODERS = List.of("libx264", "aac", "mjpeg");

    /**
     * When start-up waits for the checks: after the messaging connectors start (1000), before the
     * application's own observers (2500 by default).
     */
    private static final int AWAIT_CHECKS_PRIORITY = 2000;

    /**
     * Most of a run's standard output that is read: ffprobe describes an ordinary file in a few
     * kilobytes, and one stuffed with metadata must not fill the heap.
     */
    static final int MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
    /** How long a tool may take to answer {@code -version} or {@code -encoders} when it is checked. */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(30);
    /** How long the start-up waits for the tools' checks, their first extraction included. */
    private static final Duration CHECKS_DEADLINE = Duration.ofMinutes(3);
    /** How much of the end of a run's error output is kept. */
    static final int KEPT_ERROR_BYTES = 64 * 1024;

    /** Bump when what {@link #extract} writes changes, so that older extractions are not reused. */
    private static final int EXTRACTION_LAYOUT = 2;

    private final VodflowConfig.Ffmpeg config;
    private final boolean transcodesHere;
    private volatile Tool ffmpeg;
    private volatile Tool ffprobe;
    private CompletableFuture<Void> startupChecks = CompletableFuture.completedFuture(null);

    FfmpegTools(VodflowConfig config) {
        this.config = config.ffmpeg();
        this.transcodesHere = VodflowConfig.runsLocalJobs(config);
    }

    /**
     * An executable and the environment it needs (the bundled one finds its libraries through it).
     *
     * @param memoryLimit bytes of address space the process may map; 0 for no limit
     */
    public record Tool(String executable, Map<String, String> environment, String version, long memoryLimit) {

        /**
         * What a tool keeps of the service's environment: the images point the loader at /opt/ffmpeg
         * with LD_LIBRARY_PATH; Windows' sockets need SystemRoot.
         */
        private static final Set<String> INHERITED_VARIABLES = Set.of(
                "PATH",
                "LD_LIBRARY_PATH",
                "DYLD_LIBRARY_PATH",
                "TMPDIR",
                "TMP",
                "TEMP",
                "SystemRoot",
                "http_proxy",
                "https_proxy",
                "no_proxy",
                "HTTP_PROXY",
                "HTTPS_PROXY",
                "NO_PROXY",
                "SSL_CERT_FILE",
                "SSL_CERT_DIR");

        /**
         * Where Linux distributions keep the certificate authorities they trust, as one file: Debian and
         * Ubuntu (the images), Alpine; Fedora and RHEL; macOS.
         */
        private static final List<Path> SYSTEM_CA_BUNDLES = List.of(
                Path.of("/etc/ssl/certs/ca-certificates.crt"),
                Path.of("/etc/pki/tls/certs/ca-bundle.crt"),
                Path.of("/etc/ssl/cert.pem"));

        public Tool(String executable, Map<String, String> environment, String version) {
            this(executable, environment, version, 0);
        }

        /**
         * The same tool, run with at most {@code bytes} of address space where the system can enforce
         * it (Linux): an allocation beyond it fails inside the tool instead of starving the service.
         */
        public Tool withMemoryLimit(long bytes) {
            return new Tool(executable, environment, version, bytes);
        }

        /**
         * On Linux the tool starts through a shell that makes it the first process the kernel stops when
         * memory runs out (a hostile file can make a decoder allocate much), so that the service survives
         * to report it, and sets the tool's memory limit; the shell then becomes the tool: "$0" and "$@"
         * are the command. Raising one's own OOM score needs no privilege. Kubernetes on cgroup v2 stops
         * a container whole instead, unless the kubelet's singleProcessOOMKill is set: there the pods'
         * memory limits leave room for the JVM and the tools together (k8s/).
         */
        public ProcessBuilder processBuilder(List<String> arguments) {
            List<String> command = new ArrayList<>(arguments.size() + 4);
            if (Loader.getPlatform().startsWith("linux")) {
                String limit = memoryLimit > 0 ? "ulimit -v " + memoryLimit / 1024 + " && " : "";
                command.addAll(List.of(
                        "/bin/sh",
                        "-c",
                        "{ echo 1000 > /proc/self/oom_score_adj; } 2>/dev/null; " + limit + "exec \"$0\" \"$@\""));
            }
            command.add(executable);
            command.addAll(arguments);
            ProcessBuilder builder = new ProcessBuilder(command);
            keepOnlyWhatToolsNeed(builder.environment());
            trustWhatTheSystemTrusts(builder.environment());
            builder.environment().putAll(environment);
            keepLoopbackOffTheProxy(builder.environment());
            return builder;
        }

        /**
         * A local job's source link is on 127.0.0.1, which an egress proxy cannot reach: with a proxy
         * set, the tools go there directly. (ffmpeg reads only the lower-case {@code http_proxy} and
         * {@code no_proxy}.)
         */
        static void keepLoopbackOffTheProxy(Map<String, String> environment) {
            if (environment.containsKey("http_proxy")) {
                String bypassed = environment.getOrDefault("no_proxy", "");
                environment.put("no_proxy", bypassed.isBlank() ? "127.0.0.1" : bypassed + ",127.0.0.1");
            }
        }

        /**
         * The tools check storage's TLS certificate ({@link SourceInput}) with the OpenSSL built into
         * them, which knows no certificate authority of its own: it gets the system's, unless the
         * service was given others (SSL_CERT_FILE or SSL_CERT_DIR, for a store with a private CA).
         */
        static void trustWhatTheSystemTrusts(Map<String, String> environment) {
            if (!environment.containsKey("SSL_CERT_FILE") && !environment.containsKey("SSL_CERT_DIR")) {
                SYSTEM_CA_BUNDLES.stream()
                        .filter(Files::isReadable)
                        .findFirst()
                        .ifPresent(bundle -> environment.put("SSL_CERT_FILE", bundle.toString()));
            }
        }

        /**
         * The tools read hostile files: they get none of the service's secrets (its credentials, its
         * signing key), so that a file naming its reader's /proc/self/environ finds none there (the
         * inputs' protocol whitelist, {@link SourceInput}, keeps them from other files). They keep what
         * finds programs, libraries, temporary space and an egress proxy. LD_BIND_NOW goes too: the
         * device library stand-ins rely on the loader binding symbols lazily.
         */
        static void keepOnlyWhatToolsNeed(Map<String, String> environment) {
            environment.keySet().retainAll(INHERITED_VARIABLES);
        }

        /**
         * Runs to the end, or until {@code timeout}, when the process is killed. Both outputs are read
         * while it runs, so that neither fills its pipe and blocks the process; neither is kept whole.
         * The standard output is the answer: one longer than {@link FfmpegTools#MAX_OUTPUT_BYTES} (a file whose
         * description is stuffed with metadata) kills the run, which then reports it. Of the error
         * output only the end is kept ({@link FfmpegTools#KEPT_ERROR_BYTES}), where a tool says why it stopped.
         * Blocks the caller.
         */
        public Execution execute(List<String> arguments, Duration timeout) throws IOException, InterruptedException {
            Process process = processBuilder(arguments).start();
            process.getOutputStream().close();
            String name = Path.of(executable).getFileName().toString();
            CompletableFuture<byte[]> output = inBackground(name + "-stdout", () -> {
                try (InputStream stream = process.getInputStream()) {
                    byte[] read = stream.readNBytes(MAX_OUTPUT_BYTES + 1);
                    if (read.length > MAX_OUTPUT_BYTES) {
                        process.destroyForcibly();
                    }
                    return read;
                }
            });
            CompletableFuture<byte[]> errors = inBackground(name + "-stderr", () -> {
                try (InputStream stream = process.getErrorStream()) {
                    return lastBytes(stream, KEPT_ERROR_BYTES);
                }
            });
            try {
                boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!finished) {
                    // Its children too (a wrapper script's), which would hold the outputs open.
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor();
                }
                byte[] answer = read(output);
                boolean tooLong = answer.length > MAX_OUTPUT_BYTES;
                return new Execution(
                        finished ? process.exitValue() : -1,
                        !finished,
                        tooLong,
                        tooLong ? "" : new String(answer, StandardCharsets.UTF_8),
                        new String(read(errors), StandardCharsets.UTF_8));
            } finally {
                process.destroyForcibly();
            }
        }

        private static CompletableFuture<byte[]> inBackground(String name, Callable<byte[]> reading) {
            CompletableFuture<byte[]> bytes = new CompletableFuture<>();
            Thread reader = new Thread(
                    () -> {
                        try {
                            bytes.complete(reading.call());
                        } catch (Throwable e) { // an OutOfMemoryError too: the caller must not wait for ever
                            bytes.completeExceptionally(e);
                        }
                    },
                    name);
            reader.setDaemon(true);
            reader.start();
            return bytes;
        }

        private static byte[] read(CompletableFuture<byte[]> bytes) throws IOException {
            try {
                return bytes.join();
            } catch (CompletionException e) {
                throw new IOException("Could not read the tool's output: " + e.getCause(), e.getCause());
            }
        }

        /** The last {@code limit} bytes of the stream, read to its end. */
        static byte[] lastBytes(InputStream stream, int limit) throws IOException {
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            for (int read; (read = stream.read(chunk)) != -1; ) {
                kept.write(chunk, 0, read);
                if (kept.size() > 2 * limit) {
                    byte[] all = kept.toByteArray();
                    kept.reset();
                    kept.write(all, all.length - limit, limit);
                }
            }
            byte[] all = kept.toByteArray();
            return all.length <= limit ? all : Arrays.copyOfRange(all, all.length - limit, all.length);
        }
    }

    /**
     * How a run of a tool ended.
     *
     * @param outputTooLong whether the run was killed for an output beyond {@link #MAX_OUTPUT_BYTES};
     *     {@code output} is empty then
     */
    public record Execution(int exitCode, boolean timedOut, boolean outputTooLong, String output, String errors) {}

    /**
     * Every replica probes uploads with ffprobe; only one that runs local jobs needs ffmpeg and its
     * encoders, so an API-only replica starts without them. The checks (up to three runs of the tools,
     * and extracting them on a first start) take a thread of their own while the messaging connectors
     * start; {@link #awaitChecks} ends the start-up with their verdict.
     */
    void startChecks(@Observes @Priority(10) StartupEvent event) {
        CompletableFuture<Void> verdict = new CompletableFuture<>();
        startupChecks = verdict;
        Thread checker = new Thread(
                () -> {
                    try {
                        check();
                        verdict.complete(null);
                    } catch (Throwable e) {
                        verdict.completeExceptionally(e);
                    }
                },
                "vodflow-ffmpeg-check");
        checker.setDaemon(true);
        checker.start();
    }

    /**
     * Waits for the checks before the application's own start-up work (the local worker among it) runs,
     * after the messaging connectors started: a missing or unusable tool still stops the start, with
     * the message naming every candidate.
     */
    void awaitChecks(@Observes @Priority(AWAIT_CHECKS_PRIORITY) StartupEvent event) {
        try {
            startupChecks.get(CHECKS_DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("ffmpeg and ffprobe were not found working within "
                    + CHECKS_DEADLINE.toMinutes() + " minutes (extracting them, or running them to check)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while ffmpeg and ffprobe were checked", e);
        }
    }

    private void check() {
        LOG.infof("Using %s (%s) for probing", ffprobe().executable(), ffprobe().version());
        if (transcodesHere) {
            LOG.infof("Using %s (%s) for transcoding", ffmpeg().executable(), ffmpeg().version());
        }
    }

    public Tool ffmpeg() {
        if (ffmpeg == null) {
            ffmpeg = resolve("ffmpeg", config.path(), true);
        }
        return ffmpeg;
    }

    public Tool ffprobe() {
        if (ffprobe == null) {
            ffprobe = resolve("ffprobe", config.probePath(), false);
        }
        return ffprobe;
    }

    private synchronized Tool resolve(String name, Optional<String> configured, boolean checkEncoders) {
        List<String> refused = new ArrayList<>();
        if (configured.isPresent()) {
            return verify(name, configured.get(), Map.of(), checkEncoders, refused)
                    .orElseThrow(() -> notFound(name, refused));
        }
        Optional<Tool> bundled = bundled(name, refused)
                .flatMap(tool -> verify(name, tool.executable(), tool.environment(), checkEncoders, refused));
        return bundled.or(() -> verify(name, name, Map.of(), checkEncoders, refused))
                .orElseThrow(() -> notFound(name, refused));
    }

    private static IllegalStateException notFound(String name, List<String> refused) {
        return new IllegalStateException("No usable " + name + " found. Tried:\n  - " + String.join("\n  - ", refused)
                + "\nSet vodflow.ffmpeg." + (name.equals("ffmpeg") ? "path" : "probe-path")
                + " to an " + name + " with libx264, aac and mjpeg, or install one on the PATH.");
    }

    /** Runs {@code -version} (and {@code -encoders}) to prove the candidate works. */
    private static Optional<Tool> verify(
            String name,
            String executable,
            Map<String, String> environment,
            boolean checkEncoders,
            List<String> refused) {
        try {
            Tool candidate = new Tool(executable, environment, null);
            String versionOutput = run(candidate, List.of("-hide_banner", "-version"));
            String firstLine = versionOutput.lines().findFirst().orElse("");
            if (!firstLine.startsWith(name + " version")) {
                refused.add(executable + ": " + firstLine.strip());
                return Optional.empty();
            }
            if (checkEncoders) {
                String encoders = run(candidate, List.of("-hide_banner", "-encoders"));
                List<String> missing = REQUIRED_ENCODERS.stream()
                        .filter(encoder -> encoders.lines().noneMatch(line -> line.contains(" " + encoder + " ")))
                        .toList();
                if (!missing.isEmpty()) {
                    refused.add(executable + ": lacks the encoders " + String.join(", ", missing));
                    return Optional.empty();
                }
            }
            String version = firstLine.split(" ")[2];
            return Optional.of(new Tool(executable, environment, version));
        } catch (IOException | IllegalStateException e) {
            refused.add(executable + ": " + explain(e.getMessage()));
            return Optional.empty();
        }
    }

    private static String explain(String message) {
        if (message != null && message.contains("error while loading shared libraries")) {
            String library = message.replaceAll("(?s).*loading shared libraries: ([^:]+):.*", "$1");
            return "the system library " + library + " is missing";
        }
        return message;
    }

    /** Runs a check's command: a tool that hangs (a stuck mount, a wrapper script) fails the check. */
    private static String run(Tool tool, List<String> arguments) throws IOException {
        try {
            Execution run = tool.execute(arguments, CHECK_TIMEOUT);
            if (run.timedOut()) {
                throw new IllegalStateException("did not answer " + String.join(" ", arguments) + " within "
                        + CHECK_TIMEOUT.toSeconds() + " s");
            }
            if (run.exitCode() != 0) {
                String said = run.errors().isBlank() ? run.output() : run.errors();
                throw new IllegalStateException(
                        said.strip().lines().reduce((a, b) -> b).orElse("failed"));
            }
            return run.output();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Extracts the executables and shared libraries of the org.bytedeco ffmpeg jar into a directory
     * named after the jar, once, with {@link DeviceLibraryStandIns} beside them on Linux, so that
     * they need nothing from the system beyond glibc; later starts reuse it.
     */
    private static Optional<Tool> bundled(String name, List<String> refused) {
        String platform = Loader.getPlatform();
        boolean windows = platform.startsWith("windows");
        String directory = "org/bytedeco/ffmpeg/" + platform + "-gpl/";
        URL resource = FfmpegTools.class.getClassLoader().getResource(directory + name + (windows ? ".exe" : ""));
        if (resource == null || !"jar".equals(resource.getProtocol())) {
            refused.add("bundled " + name + ": no org.bytedeco ffmpeg jar for " + platform + " on the classpath");
            return Optional.empty();
        }
        try {
            JarURLConnection connection = (JarURLConnection) resource.openConnection();
            Path jar = Path.of(connection.getJarFileURL().toURI());
            String jarName = jar.getFileName().toString().replaceFirst("\\.jar$", "");
            Path target = Path.of(Loader.getCacheDir().getPath(), "vodflow-" + EXTRACTION_LAYOUT + "-" + jarName);
            if (!Files.exists(target.resolve(".complete"))) {
                extract(jar, directory, target, platform);
            }
            // The executables find their shared libraries through the loader's search path; Windows
            // looks next to the executable anyway.
            Map<String, String> environment =
                    windows ? Map.of() : Map.of(libraryPathVariable(platform), target.toString());
            return Optional.of(
                    new Tool(target.resolve(name + (windows ? ".exe" : "")).toString(), environment, null));
        } catch (Exception e) {
            refused.add("bundled " + name + ": could not extract it (" + e.getMessage() + ")");
            return Optional.empty();
        }
    }

    private static void extract(Path jar, String directory, Path target, String platform) throws IOException {
        Files.createDirectories(target.getParent());
        Path staging = Files.createTempDirectory(target.getParent(), ".extract-");
        try (JarFile file = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (entry.isDirectory() || !entry.getName().startsWith(directory)) {
                    continue;
                }
                Path out = staging.resolve(entry.getName().substring(directory.length()));
                try (InputStream in = file.getInputStream(entry)) {
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
                out.toFile().setExecutable(true);
            }
            int standIns = DeviceLibraryStandIns.write(staging, platform);
            LOG.debugf("Wrote %d stand-ins for device libraries of %s", standIns, platform);
            Files.createFile(staging.resolve(".complete"));
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                // Another process extracted it first; theirs is as good as ours.
                if (!Files.exists(target.resolve(".complete"))) {
                    throw raced;
                }
            }
            LOG.infof("Extracted the bundled ffmpeg into %s", target);
        } finally {
            deleteQuietly(staging);
        }
    }

    private static void deleteQuietly(Path directory) {
        try {
            Directories.delete(directory);
        } catch (IOException e) {
            LOG.debugf("Could not delete %s: %s", directory, e.getMessage());
        }
    }

    private static String libraryPathVariable(String platform) {
        return platform.toLowerCase(Locale.ROOT).startsWith("macosx") ? "DYLD_LIBRARY_PATH" : "LD_LIBRARY_PATH";
    }
}

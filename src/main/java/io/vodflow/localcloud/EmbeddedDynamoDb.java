package io.vodflow.localcloud;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * DynamoDB for dev mode and tests: dynalite on Node.js, installed from the lock file in this package's
 * resources on first use and started as a child process that ends with the JVM.
 */
final class EmbeddedDynamoDb implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedDynamoDb.class);
    private static final String RESOURCES = "localcloud/dynalite/";
    private static final List<String> FILES = List.of("package.json", "package-lock.json", "launcher.js");
    private static final int MIN_NODE_MAJOR = 20;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);

    private final Process process;

    private EmbeddedDynamoDb(Process process) {
        this.process = process;
    }

    /** Installs dynalite if needed and starts it; data lives in {@code dataDir}, or in memory if empty. */
    static EmbeddedDynamoDb start(
            String node, String npm, Path toolsDir, String host, int port, Optional<Path> dataDir) {
        checkNode(node);
        Path home = install(npm, toolsDir);
        List<String> command = new ArrayList<>(List.of(
                node, home.resolve("launcher.js").toString(), "--host", host, "--port", Integer.toString(port)));
        dataDir.ifPresent(dir -> {
            createDirectories(dir);
            command.addAll(List.of("--path", dir.toAbsolutePath().toString()));
        });
        try {
            Process process = new ProcessBuilder(command)
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .start();
            awaitListening(process, host, port);
            return new EmbeddedDynamoDb(process);
        } catch (IOException e) {
            throw new IllegalStateException("Could not start dynalite with " + node + ": " + e.getMessage(), e);
        }
    }

    private static void checkNode(String node) {
        String version;
        try {
            version = run(List.of(node, "--version"), null, Duration.ofSeconds(20))
                    .trim();
        } catch (IllegalStateException e) {
            throw new IllegalStateException(
                    "The embedded DynamoDB needs Node.js " + MIN_NODE_MAJOR + " or newer, and '" + node
                            + "' could not be run. Install Node.js (https://nodejs.org, or your package"
                            + " manager's 'nodejs' package) or point vodflow.localcloud.node at it.",
                    e);
        }
        int major = Integer.parseInt(version.replaceFirst("^v", "").split("\\.")[0]);
        if (major < MIN_NODE_MAJOR) {
            throw new IllegalStateException("The embedded DynamoDB needs Node.js " + MIN_NODE_MAJOR
                    + " or newer, found " + version + " at '" + node + "'. Upgrade Node.js or point"
                    + " vodflow.localcloud.node at a newer one.");
        }
    }

    /**
     * Copies the package files into a directory named after their hash and runs {@code npm ci} there
     * once. A file lock keeps dev mode and a test run started together from installing twice.
     */
    private static Path install(String npm, Path toolsDir) {
        byte[][] contents = FILES.stream().map(EmbeddedDynamoDb::resource).toArray(byte[][]::new);
        Path home = toolsDir.toAbsolutePath().resolve("dynalite-" + hash(contents));
        Path done = home.resolve(".installed");
        if (Files.exists(done)) {
            return home;
        }
        createDirectories(home);
        try (FileChannel channel =
                        FileChannel.open(home.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = channel.lock()) {
            if (Files.exists(done)) {
                return home;
            }
            for (int i = 0; i < FILES.size(); i++) {
                Files.write(home.resolve(FILES.get(i)), contents[i]);
            }
            LOG.infof("Installing dynalite for the embedded DynamoDB into %s (first use only)", home);
            run(List.of(npm, "ci", "--omit=dev", "--no-audit", "--no-fund"), home, INSTALL_TIMEOUT);
            Files.createFile(done);
            return home;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not install dynalite into " + home, e);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(
                    "Could not install dynalite with '" + npm + "' (it comes with Node.js; set"
                            + " vodflow.localcloud.npm if it is elsewhere): " + e.getMessage(),
                    e);
        }
    }

    private static void awaitListening(Process process, String host, int port) {
        BufferedReader output =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Void> listening = new CompletableFuture<>();
        List<String> lines = new ArrayList<>();
        Thread reader = new Thread(
                () -> {
                    try {
                        String line;
                        while ((line = output.readLine()) != null) {
                            if (!listening.isDone()) {
                                lines.add(line);
                                if (line.startsWith("dynalite listening")) {
                                    listening.complete(null);
                                }
                            }
                            LOG.debug(line);
                        }
                    } catch (IOException e) {
                        // The process ended; the exit check below reports it.
                    }
                    listening.completeExceptionally(new IllegalStateException("dynalite exited"));
                },
                "dynalite-output");
        reader.setDaemon(true);
        reader.start();
        try {
            listening.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("Interrupted while starting dynalite", e);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException(
                    "dynalite did not start on " + host + ":" + port + " (is the port free? set"
                            + " vodflow.localcloud.dynamodb-port to change it). Its output: "
                            + String.join("\n", lines),
                    e);
        }
    }

    private static String run(List<String> command, Path directory, Duration timeout) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            if (directory != null) {
                builder.directory(directory.toFile());
            }
            Process process = builder.start();
            process.getOutputStream().close();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
            }
            String text = output.join();
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        String.join(" ", command) + " failed with exit code " + process.exitValue() + ": " + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + command.get(0), e);
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = EmbeddedDynamoDb.class.getClassLoader().getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + RESOURCES + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hash(byte[][] contents) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] content : contents) {
                digest.update(content);
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create " + dir, e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}

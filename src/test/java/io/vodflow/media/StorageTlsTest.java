package io.vodflow.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.quarkus.test.junit.QuarkusTest;
import io.vodflow.testing.TestResources;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ffprobe and ffmpeg read sources from storage over HTTPS. Unless storage proves who it is, anyone on
 * the way could hand them another file, or read the signed URL: a certificate the system does not
 * trust is refused, and one signed by the authorities the service is given (SSL_CERT_FILE) is read,
 * through an egress proxy too (http_proxy).
 */
@QuarkusTest
class StorageTlsTest {

    private static final String PASSWORD = "changeit";

    @Inject
    FfmpegTools tools;

    @Inject
    SourceProbe probe;

    @TempDir
    Path dir;

    private HttpsServer storage;
    private Path certificate;

    @BeforeEach
    void startStorageWithItsOwnCertificate() throws Exception {
        Path keyStore = dir.resolve("storage.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "storage",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-validity",
                "2",
                "-keystore",
                keyStore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD);
        certificate = dir.resolve("storage.pem");
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "storage",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                PASSWORD,
                "-file",
                certificate.toString());

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(managers.getKeyManagers(), null, null);

        byte[] clip = Files.readAllBytes(TestResources.media("h264_aac_320x240_main.mp4"));
        storage = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        storage.setHttpsConfigurator(new HttpsConfigurator(tls));
        storage.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "video/mp4");
            exchange.sendResponseHeaders(200, clip.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(clip);
            } catch (IOException e) {
                // ffprobe may hang up once it has read enough
            }
        });
        storage.start();
    }

    @AfterEach
    void stopStorage() {
        storage.stop(0);
    }

    @Test
    void aSourceFromStorageWithAnUntrustedCertificateIsNotRead() {
        assertThatThrownBy(() -> probe.probe(url(), Duration.ofSeconds(60)))
                .isInstanceOf(SourceProbe.ProbeException.class)
                .hasMessageContaining("does not trust storage's TLS certificate");
    }

    @Test
    void aSourceFromStorageWhoseAuthorityTheServiceTrustsIsRead() throws Exception {
        assertReads(trusting(Map.of()), url());
    }

    @Test
    void behindAnEgressProxyStorageIsReadThroughItsTunnelAndALocalLinkDirectly() throws Exception {
        try (TunnelProxy proxy = new TunnelProxy()) {
            FfmpegTools.Tool proxied = trusting(Map.of("http_proxy", "http://127.0.0.1:" + proxy.port()));
            String byName = "https://localhost:" + storage.getAddress().getPort() + "/uploads/clip/source";

            assertReads(proxied, byName);
            assertThat(proxy.tunnels())
                    .containsExactly("localhost:" + storage.getAddress().getPort());

            // 127.0.0.1, where a local job's source link is, which no proxy can reach.
            assertReads(proxied, url());
            assertThat(proxy.tunnels()).hasSize(1);
        }
    }

    /** ffprobe trusting storage's certificate, with {@code more} in its environment. */
    private FfmpegTools.Tool trusting(Map<String, String> more) {
        FfmpegTools.Tool ffprobe = tools.ffprobe();
        Map<String, String> environment = new HashMap<>(ffprobe.environment());
        environment.put("SSL_CERT_FILE", certificate.toString());
        environment.putAll(more);
        return new FfmpegTools.Tool(ffprobe.executable(), environment, ffprobe.version());
    }

    private static void assertReads(FfmpegTools.Tool ffprobe, String url) throws Exception {
        List<String> arguments = new ArrayList<>(List.of("-v", "error", "-show_entries", "stream=codec_name"));
        arguments.addAll(SourceInput.arguments(url, false));

        FfmpegTools.Execution run = ffprobe.execute(arguments, Duration.ofSeconds(60));

        assertThat(run.exitCode()).as(run.errors()).isZero();
        assertThat(run.output()).contains("codec_name=h264", "codec_name=aac");
    }

    private String url() {
        return "https://127.0.0.1:" + storage.getAddress().getPort() + "/uploads/clip/source";
    }

    /** An egress proxy as HTTPS goes through one: CONNECT host:port, then bytes both ways. */
    private static final class TunnelProxy implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<String> tunnels = new CopyOnWriteArrayList<>();

        TunnelProxy() throws IOException {
            Thread acceptor = new Thread(this::accept, "tunnel-proxy");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        /** The host:port of every tunnel asked for. */
        List<String> tunnels() {
            return tunnels;
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Thread tunnel = new Thread(() -> tunnel(client), "tunnel");
                    tunnel.setDaemon(true);
                    tunnel.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void tunnel(Socket client) {
            try (client) {
                BufferedReader request =
                        new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.ISO_8859_1));
                String[] line = request.readLine().split(" ");
                while (!request.readLine().isEmpty()) {
                    // The request's headers.
                }
                tunnels.add(line[1]);
                String[] target = line[1].split(":");
                try (Socket upstream = new Socket(target[0], Integer.parseInt(target[1]))) {
                    client.getOutputStream()
                            .write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    Thread back = new Thread(() -> copy(upstream, client), "tunnel-back");
                    back.setDaemon(true);
                    back.start();
                    copy(client, upstream);
                    back.join(5000);
                }
            } catch (IOException | InterruptedException e) {
                // The tool hung up.
            }
        }

        private static void copy(Socket from, Socket to) {
            try {
                from.getInputStream().transferTo(to.getOutputStream());
                to.shutdownOutput();
            } catch (IOException e) {
                // One side hung up.
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private static void keytool(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }
}

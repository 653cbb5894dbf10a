package io.vodflow.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.quarkus.test.junit.QuarkusTest;
import io.vodflow.testing.TestResources;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * trust is refused, and one signed by the authorities the service is given (SSL_CERT_FILE) is read.
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
        FfmpegTools.Tool ffprobe = tools.ffprobe();
        Map<String, String> environment = new HashMap<>(ffprobe.environment());
        environment.put("SSL_CERT_FILE", certificate.toString());
        FfmpegTools.Tool trusting = new FfmpegTools.Tool(ffprobe.executable(), environment, ffprobe.version());
        List<String> arguments = new ArrayList<>(List.of("-v", "error", "-show_entries", "stream=codec_name"));
        arguments.addAll(SourceInput.arguments(url(), false));

        FfmpegTools.Execution run = trusting.execute(arguments, Duration.ofSeconds(60));

        assertThat(run.exitCode()).as(run.errors()).isZero();
        assertThat(run.output()).contains("codec_name=h264", "codec_name=aac");
    }

    private String url() {
        return "https://127.0.0.1:" + storage.getAddress().getPort() + "/uploads/clip/source";
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

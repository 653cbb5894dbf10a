package io.vodflow.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * On Kubernetes the service has no keys: the default credential chain, which vodflow's AWS clients
 * use, exchanges the pod's web-identity token (IRSA) for role credentials with STS, or asks the EKS
 * Pod Identity agent. STS, the agent and S3 are one stub here, at the HTTP level; the assertions
 * are on the requests the AWS SDK sends it.
 */
class WorkloadIdentityTest {

    private static final List<String> PROPERTIES = List.of(
            "aws.region",
            "aws.webIdentityTokenFile",
            "aws.roleArn",
            "aws.roleSessionName",
            "aws.endpointUrlSts",
            "aws.containerCredentialsFullUri",
            "aws.containerAuthorizationTokenFile");

    private HttpServer aws;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    record Request(String path, Map<String, List<String>> headers, String body) {}

    @BeforeEach
    void startStubs() throws IOException {
        aws = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        aws.createContext("/", this::answer);
        aws.start();
        System.setProperty("aws.region", "eu-west-1");
    }

    @AfterEach
    void stopStubs() {
        aws.stop(0);
        PROPERTIES.forEach(System::clearProperty);
    }

    @Test
    void irsaWebIdentityCredentialsComeFromStsAndSignS3Calls(@TempDir Path dir) throws IOException {
        Path token = dir.resolve("eks-token.jwt");
        Files.writeString(token, "header.payload.signature");
        System.setProperty("aws.webIdentityTokenFile", token.toString());
        System.setProperty("aws.roleArn", "arn:aws:iam::123456789012:role/vodflow");
        System.setProperty("aws.roleSessionName", "vodflow-pod");
        System.setProperty("aws.endpointUrlSts", endpoint());

        headBucketThroughTheDefaultChain();

        Request sts = requests.stream()
                .filter(WorkloadIdentityTest::isSts)
                .findFirst()
                .orElseThrow();
        Map<String, String> form = form(sts.body());
        assertThat(form)
                .containsEntry("Action", "AssumeRoleWithWebIdentity")
                .containsEntry("RoleArn", "arn:aws:iam::123456789012:role/vodflow")
                .containsEntry("RoleSessionName", "vodflow-pod")
                .containsEntry("WebIdentityToken", "header.payload.signature");
        assertSignedWithRoleCredentials();
    }

    @Test
    void eksPodIdentityCredentialsComeFromTheAgentAndSignS3Calls(@TempDir Path dir) throws IOException {
        Path token = dir.resolve("pod-identity.token");
        Files.writeString(token, "agent-authorization-token");
        System.setProperty("aws.containerCredentialsFullUri", endpoint() + "/v1/credentials");
        System.setProperty("aws.containerAuthorizationTokenFile", token.toString());

        headBucketThroughTheDefaultChain();

        Request agent = requests.stream()
                .filter(request -> request.path().startsWith("/v1/credentials"))
                .findFirst()
                .orElseThrow();
        assertThat(agent.headers().get("Authorization")).containsExactly("agent-authorization-token");
        assertSignedWithRoleCredentials();
    }

    private void headBucketThroughTheDefaultChain() {
        try (DefaultCredentialsProvider credentials =
                        DefaultCredentialsProvider.builder().build();
                S3Client s3 = S3Client.builder()
                        .region(Region.EU_WEST_1)
                        .endpointOverride(URI.create(endpoint()))
                        .forcePathStyle(true)
                        .credentialsProvider(credentials)
                        .build()) {
            s3.headBucket(head -> head.bucket("vodflow-input"));
        }
    }

    private void assertSignedWithRoleCredentials() {
        Request s3 = requests.stream()
                .filter(request -> request.path().startsWith("/vodflow-input"))
                .findFirst()
                .orElseThrow();
        assertThat(s3.headers().get("Authorization"))
                .singleElement()
                .asString()
                .contains("Credential=ASIASTUBROLEKEY/");
        assertThat(s3.headers().get("X-amz-security-token")).containsExactly("stub-session-token");
    }

    private void answer(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = exchange.getRequestURI().getPath();
        Request request = new Request(path, Map.copyOf(exchange.getRequestHeaders()), body);
        requests.add(request);
        String answer = "";
        if (isSts(request)) {
            exchange.getResponseHeaders().set("Content-Type", "text/xml");
            answer =
                    """
                    <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                      <AssumeRoleWithWebIdentityResult>
                        <Credentials>
                          <AccessKeyId>ASIASTUBROLEKEY</AccessKeyId>
                          <SecretAccessKey>stub-secret</SecretAccessKey>
                          <SessionToken>stub-session-token</SessionToken>
                          <Expiration>2099-01-01T00:00:00Z</Expiration>
                        </Credentials>
                      </AssumeRoleWithWebIdentityResult>
                    </AssumeRoleWithWebIdentityResponse>
                    """;
        } else if (path.startsWith("/v1/credentials")) {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            answer =
                    """
                    {"AccessKeyId":"ASIASTUBROLEKEY","SecretAccessKey":"stub-secret",
                     "Token":"stub-session-token","Expiration":"2099-01-01T00:00:00Z"}
                    """;
        }
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** STS takes form posts to its root; one stub serves it, the Pod Identity agent and S3. */
    private static boolean isSts(Request request) {
        return request.body().startsWith("Action=");
    }

    private String endpoint() {
        return "http://127.0.0.1:" + aws.getAddress().getPort();
    }

    private static Map<String, String> form(String body) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : body.split("&")) {
            String[] parts = pair.split("=", 2);
            fields.put(
                    URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
                    parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "");
        }
        return fields;
    }
}

package io.vodflow.localcloud;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

/**
 * Gives every test application free ports for the embedded services, so that tests run beside a dev
 * mode instance and each other. The services themselves start with the application (see LocalCloud).
 */
@WithTestResource(value = LocalCloudTestPorts.class, scope = TestResourceScope.GLOBAL)
public class LocalCloudTestPorts implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of(
                "vodflow.localcloud.s3-port", freePort(),
                "vodflow.localcloud.sqs-port", freePort(),
                "vodflow.localcloud.dynamodb-port", freePort(),
                "vodflow.localcloud.oidc-port", freePort());
    }

    @Override
    public void stop() {}

    public static String freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return Integer.toString(socket.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

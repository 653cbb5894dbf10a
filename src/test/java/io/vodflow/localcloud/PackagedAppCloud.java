package io.vodflow.localcloud;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vodflow.testing.ProductionSettings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The embedded services for the packaged production application, which has none of its own: started
 * in the test's JVM on free ports, and handed to the application as an operator would hand it AWS.
 */
public class PackagedAppCloud implements QuarkusTestResourceLifecycleManager {

    private List<AutoCloseable> services = List.of();

    @Override
    public Map<String, String> start() {
        String jobEvents = "vodflow-job-events";
        String transcodeJobs = "vodflow-transcode-jobs";
        LocalCloud.Plan plan = new LocalCloud.Plan(
                "127.0.0.1",
                port(),
                port(),
                port(),
                port(),
                Optional.empty(),
                Path.of(".vodflow", "tools"),
                "node",
                "npm",
                "vodflow",
                "vodflow-local-secret",
                List.of("*"),
                "vodflow-input",
                "vodflow-output",
                List.of("vodflow-uploads", jobEvents, transcodeJobs),
                "vodflow-uploads",
                "vodflow-videos",
                "us-east-1");
        services = LocalCloud.startServices(plan);
        Map<String, String> settings = new HashMap<>(ProductionSettings.of(plan, jobEvents, transcodeJobs));
        settings.put(
                "vodflow.local.work-dir",
                Path.of("target", "packaged-app-work").toAbsolutePath().toString());
        settings.put("vodflow.local.status-update-interval", "1s");
        // A random port, as the integration test launcher gives the HTTP port: Micrometer tags a
        // server's meters with its port only when the port is set, and with one server tagged and the
        // other not, the second fails to start. The application names the port in its log
        // (testing.ManagementInterface).
        settings.put("quarkus.management.port", "0");
        return settings;
    }

    @Override
    public void stop() {
        ServiceKeeper.closeAll(services);
    }

    private static int port() {
        return Integer.parseInt(LocalCloudTestPorts.freePort());
    }
}

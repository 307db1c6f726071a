package riskgraph;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * Dev/test Neo4j for riskgraph: an embedded Neo4j 5.26 Community DBMS with the Bolt
 * connector on (by default) 127.0.0.1:7687, authentication disabled, HTTP off.
 *
 * <p>Configuration, all optional, via system properties:
 * <ul>
 *   <li>{@code riskgraph.neo4j.home}      DBMS home (data/, logs/); default {@code ./neo4j-home}</li>
 *   <li>{@code riskgraph.neo4j.bolt}      Bolt listen address; default {@code 127.0.0.1:7687}</li>
 *   <li>{@code riskgraph.neo4j.pagecache} page cache size in MiB; default {@code 1024}</li>
 *   <li>{@code riskgraph.neo4j.conf}      extra neo4j.conf-style file loaded before the settings above</li>
 * </ul>
 *
 * <p>Prints a line starting with {@code RISKGRAPH_NEO4J_READY} once Bolt is accepting
 * connections and the default database answers a query. On SIGTERM/SIGINT the DBMS is
 * shut down cleanly by a shutdown hook.
 */
public final class Neo4jLauncher {
    private Neo4jLauncher() {}

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        Path home = Path.of(System.getProperty("riskgraph.neo4j.home", "neo4j-home")).toAbsolutePath();
        SocketAddress bolt = parseAddress(System.getProperty("riskgraph.neo4j.bolt", "127.0.0.1:7687"));
        long pageCacheMiB = Long.parseLong(System.getProperty("riskgraph.neo4j.pagecache", "1024"));
        String extraConf = System.getProperty("riskgraph.neo4j.conf", "");

        Files.createDirectories(home);
        log("starting Neo4j (home=" + home + ", bolt=" + bolt + ", pagecache=" + pageCacheMiB + "MiB)");

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home);
        if (!extraConf.isEmpty()) {
            builder.loadPropertiesFromFile(Path.of(extraConf));
        }
        builder.setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, bolt)
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                // Default is 5 s each, which makes every stop take >10 s; dev/test needs no grace.
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMiB))
                // Small, disposable dev/test data: keep little transaction log history.
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "2 files")
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(64))
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.check_point_interval_time, Duration.ofMinutes(5));

        DatabaseManagementService dbms = builder.build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log("shutdown requested, stopping Neo4j");
            try {
                dbms.shutdown();
                log("Neo4j stopped");
            } catch (Throwable t) {
                log("error during shutdown: " + t);
            } finally {
                stopped.countDown();
            }
        }, "riskgraph-neo4j-shutdown"));

        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        String version = "unknown";
        String edition = "unknown";
        for (Map<String, Object> row : db.executeTransactionally(
                "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition",
                Map.of(),
                r -> r.stream().toList())) {
            if ("Neo4j Kernel".equals(row.get("name"))) {
                version = String.valueOf(((List<?>) row.get("versions")).get(0));
                edition = String.valueOf(row.get("edition"));
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        log("RISKGRAPH_NEO4J_READY bolt://" + bolt + " version=" + version + " edition=" + edition
                + " pid=" + ProcessHandle.current().pid() + " startup_ms=" + ms);

        // Block until the shutdown hook has run (SIGTERM/SIGINT).
        stopped.await();
    }

    /** Parses {@code host:port} (or {@code [v6]:port}, or a bare port meaning 127.0.0.1). */
    private static SocketAddress parseAddress(String s) {
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            return new SocketAddress("127.0.0.1", Integer.parseInt(s.trim()));
        }
        String host = s.substring(0, colon).trim();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new SocketAddress(host.isEmpty() ? "127.0.0.1" : host, Integer.parseInt(s.substring(colon + 1).trim()));
    }

    private static void log(String msg) {
        System.out.println("[riskgraph-neo4j] " + msg);
        System.out.flush();
    }
}

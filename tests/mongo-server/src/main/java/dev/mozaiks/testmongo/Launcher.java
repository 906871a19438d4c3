package dev.mozaiks.testmongo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * Starts a mongo-java-server on 127.0.0.1 and prints {@code MONGODB_URI=...} as the only
 * line on stdout.
 *
 * <pre>
 *   --port N           port to bind, 0 (default) picks a free one
 *   --h2 FILE          persist to an H2 MVStore file instead of keeping data in memory
 *   --no-stdin-watch   keep running when stdin hits EOF (detached dev server, stdin=/dev/null)
 * </pre>
 */
public final class Launcher {

    private static final String HOST = "127.0.0.1";

    /**
     * MongoDB 5.0 with its real wire version. mongo-java-server's own MONGO_5_0 reports wire
     * version 8, and the Rust driver 3.x refuses to talk to anything below 9 (MongoDB 4.4).
     */
    private static final MongoVersion MONGO_5_0 = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(5, 0, 0);
        }

        @Override
        public int getWireVersion() {
            return 13;
        }
    };

    public static void main(String[] args) throws Exception {
        int port = 0;
        String h2File = null;
        boolean watchStdin = true;

        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = parsePort(value(args, ++i, "--port"));
                case "--h2" -> h2File = value(args, ++i, "--h2");
                case "--host" -> {
                    // Accepted only for symmetry with mongod; binding elsewhere is never wanted.
                    if (!HOST.equals(value(args, ++i, "--host"))) {
                        usage("--host is fixed to " + HOST);
                    }
                }
                case "--no-stdin-watch" -> watchStdin = false;
                case "-h", "--help" -> usage(null);
                default -> usage("unknown argument: " + args[i]);
            }
        }

        MongoBackend backend = h2File != null ? openH2(h2File) : new MemoryBackend();
        backend.version(MONGO_5_0);

        MongoServer server = new MongoServer(backend);
        try {
            server.bind(HOST, port);
        } catch (Exception e) {
            // Netty rethrows the checked BindException undeclared, and MongoServer only cleans up
            // after RuntimeExceptions; without this its non-daemon threads keep the JVM alive.
            System.err.println("mongo-server: cannot bind " + HOST + ":" + port + ": " + e);
            server.shutdownNow();
            System.exit(1);
        }

        // SIGTERM/SIGINT and System.exit all land here. shutdownNow() also closes the backend,
        // which for H2 commits and closes the MVStore so the data survives a restart.
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "mongo-server-shutdown"));

        System.out.println("MONGODB_URI=mongodb://" + HOST + ":" + server.getLocalAddress().getPort());
        System.out.flush();

        if (watchStdin) {
            // The spawning harness holds our stdin pipe; EOF means it closed it or died,
            // so exit instead of leaving a stray server behind.
            drain(System.in);
            System.exit(0);
        }
        new CountDownLatch(1).await(); // netty threads serve; main just waits for a signal
    }

    private static MongoBackend openH2(String file) {
        try {
            // H2 refuses a missing parent directory; a fresh dev checkout won't have one yet.
            Path parent = Path.of(file).toAbsolutePath().getParent();
            Files.createDirectories(parent);
            return new H2Backend(file);
        } catch (Exception e) { // e.g. the file is locked by another running instance
            System.err.println("mongo-server: cannot open H2 file " + file + ": " + e.getMessage());
            System.exit(1);
            return null; // unreachable
        }
    }

    /** Reads and discards until EOF (or a read error, which means the same for us). */
    private static void drain(InputStream in) {
        byte[] buf = new byte[512];
        try {
            while (in.read(buf) != -1) {
                // input is ignored; only its end matters
            }
        } catch (IOException ignored) {
            // treat like EOF
        }
    }

    private static int parsePort(String s) {
        try {
            int port = Integer.parseInt(s);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        usage("bad port: " + s);
        return -1; // unreachable, usage() exits
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            usage(flag + " needs a value");
        }
        return args[i];
    }

    private static void usage(String error) {
        if (error != null) {
            System.err.println("mongo-server: " + error);
        }
        System.err.println("usage: run [--port N] [--h2 FILE] [--no-stdin-watch]");
        System.exit(error == null ? 0 : 2);
    }
}

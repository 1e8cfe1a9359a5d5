package org.pricingengine.job.scoring;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One ONNX Runtime session per model version per JVM, shared by every subtask of that TaskManager:
 * the session holds the weights once and its thread pool is not multiplied by the slot count. The
 * last subtask to let go closes it. The registry lives in the job's classloader, so a restarted job
 * builds a fresh session; ONNX Runtime's native library itself sits in the cluster's lib/ folder and
 * is loaded once per JVM.
 */
final class SharedModels {
    private record Key(Path root, String version, SessionSettings session) {}

    private static final class Entry {
        final DemandModel model;
        int users;

        Entry(DemandModel model) {
            this.model = model;
        }
    }

    private static final Map<Key, Entry> MODELS = new HashMap<>();

    private SharedModels() {}

    static synchronized DemandModel acquire(ModelLocation location, SessionSettings session) {
        Key key = new Key(location.root().toAbsolutePath().normalize(), location.version(), session);
        Entry entry = MODELS.get(key);
        if (entry == null) {
            entry = new Entry(DemandModel.load(location, session));
            MODELS.put(key, entry);
        }
        entry.users++;
        return entry.model;
    }

    static synchronized void release(DemandModel model) {
        MODELS.entrySet().removeIf(e -> {
            if (e.getValue().model != model) {
                return false;
            }
            if (--e.getValue().users > 0) {
                return false;
            }
            e.getValue().model.close();
            return true;
        });
    }

    static synchronized int openSessions() {
        return MODELS.size();
    }
}

package org.pricingengine.tools.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.ConfigOption;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.pricingengine.job.config.PricingConfig;

/**
 * Creates the job's topics on a local broker (demo, benchmark): 2 partitions, the catalog compacted, the
 * model-control topic compacted with one partition.
 */
public final class PricingTopics {
    private PricingTopics() {}

    /**
     * Job options for a run of its own on a shared broker (tools, benchmarks): the topics renamed
     * under {@code prefix}, its own consumer group and transactional ids, reading from the beginning.
     */
    public static Map<String, String> isolatedRun(String prefix) {
        Map<String, String> options = new java.util.LinkedHashMap<>();
        for (ConfigOption<String> topic : PricingConfig.TOPICS) {
            options.put(topic.key(), prefix + "." + topic.defaultValue().replaceFirst("^pricing\\.", ""));
        }
        options.put(PricingConfig.GROUP_ID.key(), prefix);
        options.put(PricingConfig.TRANSACTIONAL_ID_PREFIX.key(), prefix);
        options.put(PricingConfig.STARTING_OFFSETS.key(), "earliest");
        return options;
    }

    public static void createMissing(String bootstrap, PricingConfig config) throws Exception {
        Properties p = new Properties();
        p.putAll(config.kafkaClientProperties());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> topics = new ArrayList<>();
            for (ConfigOption<String> o : PricingConfig.TOPICS) {
                String name = config.get(o);
                if (!existing.contains(name)) {
                    if (name.isBlank()) {
                        continue; // an optional topic switched off
                    }
                    // The control topic: one partition (its records are ordered), compacted to the last one.
                    NewTopic t = new NewTopic(name, o == PricingConfig.TOPIC_MODEL_CONTROL ? 1 : 2, (short) 1);
                    if (o == PricingConfig.TOPIC_CATALOG || o == PricingConfig.TOPIC_MODEL_CONTROL) {
                        t.configs(Map.of("cleanup.policy", "compact"));
                    }
                    topics.add(t);
                }
            }
            if (!topics.isEmpty()) {
                admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
            }
        }
    }
}

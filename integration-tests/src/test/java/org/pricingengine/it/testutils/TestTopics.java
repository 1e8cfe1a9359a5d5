package org.pricingengine.it.testutils;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pricingengine.job.config.PricingConfig;

/** A fresh set of the job's topics, under a prefix unique to one test. */
public record TestTopics(String prefix) {
    public Map<String, String> asOptions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(PricingConfig.TOPIC_BEHAVIOUR.key(), behaviour());
        m.put(PricingConfig.TOPIC_CATALOG.key(), catalog());
        m.put(PricingConfig.TOPIC_REQUESTS.key(), requests());
        m.put(PricingConfig.TOPIC_COMPETITOR_PRICES.key(), competitorPrices());
        m.put(PricingConfig.TOPIC_DECISIONS.key(), decisions());
        m.put(PricingConfig.TOPIC_FEEDBACK.key(), feedback());
        m.put(PricingConfig.TOPIC_DEAD_LETTERS.key(), deadLetters());
        m.put(PricingConfig.TOPIC_MODEL_CONTROL.key(), modelControl());
        m.put(PricingConfig.TOPIC_MODEL_SERVING.key(), modelServing());
        m.put(PricingConfig.TOPIC_ERASURE.key(), erasures());
        return m;
    }

    public List<String> all() {
        return List.copyOf(asOptions().values());
    }

    public String behaviour() {
        return prefix + ".behaviour-events";
    }

    public String catalog() {
        return prefix + ".catalog-updates";
    }

    public String requests() {
        return prefix + ".price-requests";
    }

    public String competitorPrices() {
        return prefix + ".competitor-prices";
    }

    public String decisions() {
        return prefix + ".price-decisions";
    }

    public String feedback() {
        return prefix + ".feedback-outcomes";
    }

    public String deadLetters() {
        return prefix + ".dead-letters";
    }

    public String modelControl() {
        return prefix + ".model-control";
    }

    public String erasures() {
        return prefix + ".erasure-requests";
    }

    public String modelServing() {
        return prefix + ".model-serving";
    }
}

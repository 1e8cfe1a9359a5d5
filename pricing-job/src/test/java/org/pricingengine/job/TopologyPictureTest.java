package org.pricingengine.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.io.KafkaEndpoints;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * topology.svg, the picture of the job the README shows, names every operator by its uid: the picture
 * must name exactly the uids {@link PricingJob#build} gives, so a new, renamed or removed operator
 * fails here until the picture is redrawn.
 */
class TopologyPictureTest {
    // Tests run in the module directory.
    private static final Path PICTURE = Path.of("topology.svg");

    @Test
    void pictureNamesEveryOperatorUidOfTheJob() throws Exception {
        Set<String> built = new TreeSet<>();
        // With the optional decision-features sink, and without learning (its stand-in operator then).
        for (Map<String, String> options : List.of(
                Map.of("topic.decision-features", "pricing.decision-features"), Map.of("learning.enabled", "false"))) {
            built.addAll(operatorUids(PricingConfig.of(options)));
        }
        assertEquals(built, new TreeSet<>(texts(picture(), "uid")), "uids in " + PICTURE + " vs the job's");
    }

    @Test
    void pictureShowsTheDefaultTopicNames() throws Exception {
        PricingConfig defaults = PricingConfig.defaults();
        Set<String> topics = new TreeSet<>(texts(picture(), "topicname"));
        for (var option : List.of(
                PricingConfig.TOPIC_BEHAVIOUR,
                PricingConfig.TOPIC_CATALOG,
                PricingConfig.TOPIC_REQUESTS,
                PricingConfig.TOPIC_COMPETITOR_PRICES,
                PricingConfig.TOPIC_DECISIONS,
                PricingConfig.TOPIC_FEEDBACK,
                PricingConfig.TOPIC_DEAD_LETTERS,
                PricingConfig.TOPIC_MODEL_CONTROL,
                PricingConfig.TOPIC_MODEL_SERVING,
                PricingConfig.TOPIC_ERASURE)) {
            assertTrue(topics.remove(defaults.get(option)), defaults.get(option) + " is not in the picture");
        }
        // The one topic without a default name.
        assertEquals(Set.of("decision features"), topics);
    }

    private static Set<String> operatorUids(PricingConfig config) {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(PricingJob.flinkConfiguration(config));
        new PricingJob(config).build(env, KafkaEndpoints.sources(config), KafkaEndpoints.sinks(config));
        Set<String> uids = new TreeSet<>();
        for (var node : env.getStreamGraph(false).getStreamNodes()) {
            String uid = node.getTransformationUID();
            // Flink derives each sink's committer from the sink's uid; the picture shows the sink.
            if (uid != null && !uid.startsWith("Sink Committer: ")) {
                uids.add(uid);
            }
        }
        return uids;
    }

    private static Document picture() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(PICTURE.toFile());
    }

    /** The text of every text or tspan element of the class (a long uid is split over tspans). */
    private static List<String> texts(Document svg, String cssClass) {
        List<String> found = new java.util.ArrayList<>();
        for (String tag : List.of("text", "tspan")) {
            NodeList nodes = svg.getElementsByTagName(tag);
            for (int i = 0; i < nodes.getLength(); i++) {
                Element e = (Element) nodes.item(i);
                if (e.getAttribute("class").equals(cssClass)) {
                    found.add(e.getTextContent().strip());
                }
            }
        }
        return found;
    }
}

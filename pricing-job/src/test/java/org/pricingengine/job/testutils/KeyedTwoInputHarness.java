package org.pricingengine.job.testutils;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/**
 * A keyed two-input operator harness in a given environment (Flink's own has no constructor that takes
 * one): tests that read an operator's metrics through {@link RecordedMetrics#environment()}.
 */
public final class KeyedTwoInputHarness<K, IN1, IN2, OUT> extends AbstractStreamOperatorTestHarness<OUT> {
    private final TwoInputStreamOperator<IN1, IN2, OUT> twoInput;

    public KeyedTwoInputHarness(
            TwoInputStreamOperator<IN1, IN2, OUT> operator,
            KeySelector<IN1, K> key1,
            KeySelector<IN2, K> key2,
            TypeInformation<K> keyType,
            MockEnvironment environment)
            throws Exception {
        super(operator, environment);
        this.twoInput = operator;
        config.setStatePartitioner(0, key1);
        config.setStatePartitioner(1, key2);
        config.setStateKeySerializer(keyType.createSerializer(executionConfig.getSerializerConfig()));
        config.serializeAllConfigs();
    }

    public void processElement1(IN1 value, long timestamp) throws Exception {
        StreamRecord<IN1> record = new StreamRecord<>(value, timestamp);
        twoInput.setKeyContextElement1(record);
        twoInput.processElement1(record);
    }

    public void processElement2(IN2 value, long timestamp) throws Exception {
        StreamRecord<IN2> record = new StreamRecord<>(value, timestamp);
        twoInput.setKeyContextElement2(record);
        twoInput.processElement2(record);
    }
}

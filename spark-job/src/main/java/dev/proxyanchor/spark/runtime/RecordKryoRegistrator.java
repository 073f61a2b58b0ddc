package dev.proxyanchor.spark.runtime;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import dev.proxyanchor.datasets.Sample;
import dev.proxyanchor.spark.data.DistributedEmbedder;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Spark 3.5's Kryo 4 cannot build its field serialiser for Java records ("can't get field offset on a record
 * class"): the records this job puts in RDDs and broadcasts travel by Java serialisation instead.
 */
public final class RecordKryoRegistrator implements KryoRegistrator {

    public static final String SPARK_SETTING = "org.nd4j.kryo.Nd4jRegistrator," + RecordKryoRegistrator.class.getName();

    @Override
    public void registerClasses(Kryo kryo) {
        JavaSerializer java = new JavaSerializer();
        for (Class<?> record : new Class<?>[] {Sample.class, DistributedEmbedder.Item.class}) {
            kryo.register(record, java);
        }
    }
}

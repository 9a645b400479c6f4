// Reads obsync messages with Flink's own canal-json / debezium-json deserializers and prints the
// rows Flink makes of them, one line per row: `<kind> <JSON array of field texts>`.
// Usage: java -cp '<lib>/*' FlinkFormats.java canal|debezium '<ROW<...> type>' <message file>...
// BYTES fields print as Base64, nested ROWs as JSON arrays, everything else with toString().
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.common.TimestampFormat;
import org.apache.flink.formats.json.canal.CanalJsonDeserializationSchema;
import org.apache.flink.formats.json.debezium.DebeziumJsonDeserializationSchema;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;
import org.apache.flink.table.types.utils.TypeConversions;
import org.apache.flink.util.Collector;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;

public class FlinkFormats {
    static final ObjectMapper MAPPER = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        String format = args[0];
        RowType rowType = (RowType) LogicalTypeParser.parse(args[1], FlinkFormats.class.getClassLoader());
        DataType dataType = TypeConversions.fromLogicalToDataType(rowType);
        TypeInformation<RowData> produced = TypeInformation.of(RowData.class);
        DeserializationSchema<RowData> schema;
        if (format.equals("canal")) {
            schema = CanalJsonDeserializationSchema.builder(dataType, Collections.emptyList(), produced)
                    .setTimestampFormat(TimestampFormat.SQL)
                    .build();
        } else {
            // Debezium's TIMESTAMP values are ISO-8601 strings ("2038-01-19T03:14:07.999999Z").
            schema = new DebeziumJsonDeserializationSchema(
                    dataType, Collections.emptyList(), produced, false, false, TimestampFormat.ISO_8601);
        }
        schema.open(new DeserializationSchema.InitializationContext() {
            @Override
            public MetricGroup getMetricGroup() {
                return null;
            }

            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                return SimpleUserCodeClassLoader.create(FlinkFormats.class.getClassLoader());
            }
        });
        for (int i = 2; i < args.length; i++) {
            byte[] message = Files.readAllBytes(Path.of(args[i]));
            List<RowData> rows = new ArrayList<>();
            try {
                schema.deserialize(message, new Collector<RowData>() {
                    @Override
                    public void collect(RowData row) {
                        rows.add(row);
                    }

                    @Override
                    public void close() {}
                });
            } catch (Exception e) {
                Throwable root = e;
                while (root.getCause() != null) root = root.getCause();
                System.out.println("ERROR " + MAPPER.writeValueAsString(root.toString()));
                continue;
            }
            if (rows.isEmpty()) System.out.println("SKIPPED []");
            for (RowData row : rows) {
                System.out.println(row.getRowKind().shortString() + " " + MAPPER.writeValueAsString(fields(row, rowType)));
            }
        }
    }

    static List<Object> fields(RowData row, RowType type) {
        List<Object> out = new ArrayList<>();
        for (int f = 0; f < type.getFieldCount(); f++) {
            LogicalType t = type.getTypeAt(f);
            if (row.isNullAt(f)) {
                out.add(null);
            } else if (t.getTypeRoot() == LogicalTypeRoot.ROW) {
                out.add(fields(row.getRow(f, ((RowType) t).getFieldCount()), (RowType) t));
            } else if (t.getTypeRoot() == LogicalTypeRoot.VARBINARY || t.getTypeRoot() == LogicalTypeRoot.BINARY) {
                out.add(Base64.getEncoder().encodeToString(row.getBinary(f)));
            } else {
                out.add(String.valueOf(RowData.createFieldGetter(t, f).getFieldOrNull(row)));
            }
        }
        return out;
    }
}

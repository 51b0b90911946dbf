/**
 * Prometheus JMX exporter rules for the brokers: only the series the kit's
 * alerts and dashboards read, so scrapes stay small. Names follow the
 * exporter's lowercased `<domain>_<type>_<name>` convention. In domain/ because
 * two readers share it: the Kafka construct ships it in a ConfigMap, and the
 * local platform (local/) starts its brokers and controllers with it.
 */
export const KAFKA_JMX_METRICS_KEY = "kafka-metrics-config.yml";

export const KAFKA_JMX_METRICS_CONFIG = `lowercaseOutputName: true
lowercaseOutputLabelNames: true
rules:
  # Throughput per topic and broker-wide (counters; use rate()).
  - pattern: 'kafka.server<type=BrokerTopicMetrics, name=(MessagesInPerSec|BytesInPerSec|BytesOutPerSec|FailedProduceRequestsPerSec|TotalProduceRequestsPerSec), topic=(.+)><>Count'
    name: kafka_server_brokertopicmetrics_$1_total
    type: COUNTER
    labels:
      topic: "$2"
  - pattern: 'kafka.server<type=BrokerTopicMetrics, name=(MessagesInPerSec|BytesInPerSec|BytesOutPerSec|FailedProduceRequestsPerSec|TotalProduceRequestsPerSec)><>Count'
    name: kafka_server_brokertopicmetrics_$1_total
    type: COUNTER
  # Replication health.
  - pattern: 'kafka.server<type=ReplicaManager, name=(UnderReplicatedPartitions|UnderMinIsrPartitionCount|AtMinIsrPartitionCount|OfflineReplicaCount|PartitionCount|LeaderCount)><>Value'
    name: kafka_server_replicamanager_$1
    type: GAUGE
  - pattern: 'kafka.server<type=ReplicaManager, name=(IsrShrinksPerSec|IsrExpandsPerSec)><>Count'
    name: kafka_server_replicamanager_$1_total
    type: COUNTER
  # KRaft controller view of the cluster.
  - pattern: 'kafka.controller<type=KafkaController, name=(ActiveControllerCount|OfflinePartitionsCount|GlobalPartitionCount|GlobalTopicCount)><>Value'
    name: kafka_controller_kafkacontroller_$1
    type: GAUGE
  # Request latency percentiles for produce and fetch.
  - pattern: 'kafka.network<type=RequestMetrics, name=TotalTimeMs, request=(Produce|FetchConsumer|FetchFollower)><>(\\d+)thPercentile'
    name: kafka_network_requestmetrics_totaltimems
    type: GAUGE
    labels:
      request: "$1"
      quantile: "0.$2"
  # Saturation of the request handler threads.
  - pattern: 'kafka.server<type=KafkaRequestHandlerPool, name=RequestHandlerAvgIdlePercent><>OneMinuteRate'
    name: kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent
    type: GAUGE
  # Bytes on disk per partition.
  - pattern: 'kafka.log<type=Log, name=Size, topic=(.+), partition=(.+)><>Value'
    name: kafka_log_log_size
    type: GAUGE
    labels:
      topic: "$1"
      partition: "$2"
`;

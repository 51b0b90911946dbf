/*
 * A Kafka-protocol cluster for local runs: librdkafka's mock cluster (real
 * Kafka wire protocol, in-memory logs) with a line protocol on stdin for
 * topics and fault injection. Built at setup against Debian's librdkafka-dev.
 *
 * Usage: mock-cluster [brokers]          (default 3)
 * Prints "BOOTSTRAP <host:port,...>" once ready, then one "OK ..." or
 * "ERR ..." line per command:
 *   topic <name> <partitions> <replication>  create a topic; leaders spread round-robin
 *   down <broker>                            broker refuses connections (leaders stay)
 *   up <broker>                              broker accepts connections again
 *   failover <broker>                        down + move its partition leadership to up brokers,
 *                                            as a KRaft controller would
 *   restore <broker>                         up + give it back the leadership it had
 *   leader <topic> <partition> <broker>      set one partition's leader
 *   leaders                                  print "LEADER <topic> <partition> <broker>" lines
 *   coordinator <group> <broker>             make <broker> the coordinator of consumer group
 *                                            <group> (a controller moves it when the broker of
 *                                            its __consumer_offsets partition fails; the mock
 *                                            does not, so failover drills call this)
 *   errors <apikey> <count> <err>            next <count> requests of <apikey> fail with <err>
 *   quit                                     shut down
 * The mock keeps one log per partition regardless of leader, so moving
 * leadership loses nothing; what clients do around it is what we measure.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BROKERS 16
#define MAX_PARTITIONS 4096

typedef struct {
        char topic[256];
        int partition;
        int leader;    /* current leader */
        int preferred; /* leader assigned at creation */
} partition_t;

static partition_t parts[MAX_PARTITIONS];
static int part_cnt = 0;
static int broker_up[MAX_BROKERS + 1];
static int broker_cnt = 3;
static int rr = 0; /* spreads moved leaderships over the brokers that are up */

static int next_up_broker(int after) {
        for (int i = 1; i <= broker_cnt; i++) {
                int b = (after + i - 1) % broker_cnt + 1;
                if (broker_up[b]) return b;
        }
        return -1;
}

static int valid_broker(int b) {
        return b >= 1 && b <= broker_cnt;
}

static int set_leader(rd_kafka_mock_cluster_t *mc, partition_t *p, int broker) {
        rd_kafka_resp_err_t err = rd_kafka_mock_partition_set_leader(mc, p->topic, p->partition, broker);
        if (err) return -1;
        p->leader = broker;
        return 0;
}

int main(int argc, char **argv) {
        char errstr[512];
        if (argc > 1) broker_cnt = atoi(argv[1]);
        if (broker_cnt < 1 || broker_cnt > MAX_BROKERS) {
                fprintf(stderr, "brokers must be 1..%d\n", MAX_BROKERS);
                return 2;
        }
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        /* Quiet the host handle's own warnings (it has no bootstrap servers by design). */
        rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
        /* The handle only hosts the mock cluster; it never produces. */
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "rd_kafka_new: %s\n", errstr);
                return 1;
        }
        rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, broker_cnt);
        if (!mc) {
                fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
                return 1;
        }
        for (int b = 1; b <= broker_cnt; b++) broker_up[b] = 1;
        setvbuf(stdout, NULL, _IOLBF, 0);
        printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mc));

        char line[1024];
        while (fgets(line, sizeof(line), stdin)) {
                char cmd[32] = "", name[256] = "";
                int a = 0, b = 0, c = 0;
                line[strcspn(line, "\r\n")] = 0;
                if (sscanf(line, "%31s", cmd) != 1) continue;

                if (!strcmp(cmd, "quit")) {
                        printf("OK quit\n");
                        break;
                } else if (!strcmp(cmd, "topic") && sscanf(line, "%*s %255s %d %d", name, &a, &b) == 3) {
                        if (a < 1 || part_cnt + a > MAX_PARTITIONS || b < 1 || b > broker_cnt) {
                                printf("ERR topic %s: partitions or replication out of range\n", name);
                                continue;
                        }
                        rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, name, a, b);
                        if (err) {
                                printf("ERR topic %s: %s\n", name, rd_kafka_err2str(err));
                                continue;
                        }
                        int ok = 1;
                        for (int i = 0; i < a; i++) {
                                partition_t *p = &parts[part_cnt++];
                                snprintf(p->topic, sizeof(p->topic), "%s", name);
                                p->partition = i;
                                p->preferred = i % broker_cnt + 1;
                                if (set_leader(mc, p, p->preferred)) ok = 0;
                        }
                        if (ok) printf("OK topic %s %d %d\n", name, a, b);
                        else printf("ERR topic %s: could not set leaders\n", name);
                } else if ((!strcmp(cmd, "down") || !strcmp(cmd, "failover")) && sscanf(line, "%*s %d", &a) == 1 && valid_broker(a)) {
                        rd_kafka_mock_broker_set_down(mc, a);
                        broker_up[a] = 0;
                        int moved = 0;
                        if (!strcmp(cmd, "failover")) {
                                for (int i = 0; i < part_cnt; i++) {
                                        if (parts[i].leader != a) continue;
                                        int to = next_up_broker(rr++);
                                        if (to > 0 && !set_leader(mc, &parts[i], to)) moved++;
                                }
                        }
                        printf("OK %s %d moved=%d\n", cmd, a, moved);
                } else if ((!strcmp(cmd, "up") || !strcmp(cmd, "restore")) && sscanf(line, "%*s %d", &a) == 1 && valid_broker(a)) {
                        rd_kafka_mock_broker_set_up(mc, a);
                        broker_up[a] = 1;
                        int moved = 0;
                        if (!strcmp(cmd, "restore")) {
                                for (int i = 0; i < part_cnt; i++) {
                                        if (parts[i].preferred == a && parts[i].leader != a && !set_leader(mc, &parts[i], a)) moved++;
                                }
                        }
                        printf("OK %s %d moved=%d\n", cmd, a, moved);
                } else if (!strcmp(cmd, "leader") && sscanf(line, "%*s %255s %d %d", name, &a, &b) == 3 && valid_broker(b)) {
                        int found = 0;
                        for (int i = 0; i < part_cnt; i++) {
                                if (parts[i].partition == a && !strcmp(parts[i].topic, name)) {
                                        found = !set_leader(mc, &parts[i], b);
                                        break;
                                }
                        }
                        if (found) printf("OK leader %s %d %d\n", name, a, b);
                        else printf("ERR leader %s %d: unknown partition\n", name, a);
                } else if (!strcmp(cmd, "leaders")) {
                        for (int i = 0; i < part_cnt; i++) printf("LEADER %s %d %d\n", parts[i].topic, parts[i].partition, parts[i].leader);
                        printf("OK leaders %d\n", part_cnt);
                } else if (!strcmp(cmd, "coordinator") && sscanf(line, "%*s %255s %d", name, &a) == 2 && valid_broker(a)) {
                        rd_kafka_resp_err_t err = rd_kafka_mock_coordinator_set(mc, "group", name, a);
                        if (err) printf("ERR coordinator %s: %s\n", name, rd_kafka_err2str(err));
                        else printf("OK coordinator %s %d\n", name, a);
                } else if (!strcmp(cmd, "errors") && sscanf(line, "%*s %d %d %d", &a, &b, &c) == 3 && b > 0 && b <= 64) {
                        rd_kafka_resp_err_t errs[64];
                        for (int i = 0; i < b; i++) errs[i] = (rd_kafka_resp_err_t)c;
                        rd_kafka_mock_push_request_errors_array(mc, (int16_t)a, (size_t)b, errs);
                        printf("OK errors %d %d %d\n", a, b, c);
                } else {
                        printf("ERR unknown or malformed command: %s\n", line);
                }
        }
        rd_kafka_mock_cluster_destroy(mc);
        rd_kafka_destroy(rk);
        return 0;
}

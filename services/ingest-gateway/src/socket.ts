import * as net from "net";
import * as tls from "tls";
import { ISocketFactory } from "kafkajs";

/**
 * kafkajs's default sockets leave Nagle's algorithm on, so small produce
 * requests can wait for delayed ACKs; here that showed up as 3 s windows at
 * a tenth of normal throughput. Kafka's Java client sets TCP_NODELAY; so do we.
 */
export function noDelaySocketFactory(): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    const socket = ssl
      ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
      : net.connect({ host, port }, onConnect);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    return socket;
  };
}

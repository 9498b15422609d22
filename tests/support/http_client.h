#pragma once

// A small blocking HTTP client for tests (cpp-httplib), always on loopback.

#include <httplib.h>

#include <QString>
#include <string>

namespace vigil::test {

struct HttpReply {
    int status = 0;  // 0: no connection
    std::string body;
    std::string contentType;
};

inline HttpReply httpRequest(const QString& hostPort, const std::string& method,
                             const std::string& path, const std::string& body = {},
                             const std::string& contentType = "text/plain") {
    const int colon = hostPort.lastIndexOf(':');
    httplib::Client client(hostPort.left(colon).toStdString(), hostPort.mid(colon + 1).toInt());
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(10, 0);
    httplib::Result result = method == "POST"     ? client.Post(path, body, contentType)
                             : method == "DELETE" ? client.Delete(path)
                                                  : client.Get(path);
    HttpReply reply;
    if (!result)
        return reply;
    reply.status = result->status;
    reply.body = result->body;
    reply.contentType = result->get_header_value("Content-Type");
    return reply;
}

inline HttpReply httpGet(const QString& hostPort, const std::string& path) {
    return httpRequest(hostPort, "GET", path);
}

}  // namespace vigil::test

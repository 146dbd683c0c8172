#ifndef VMQ_SIM_HTTP_LISTENER_H_
#define VMQ_SIM_HTTP_LISTENER_H_

#include <thread>

namespace httplib {
class Server;
}  // namespace httplib

namespace vmq::sim {

// Small thread pool and short keep-alive: the simulator runs many listeners in one process,
// and idle client connections must not hold a pool.
void ConfigureSmallServer(httplib::Server& server);

// Binds `server` to 127.0.0.1:`port` (0: a free port). Returns the port, or -1.
int BindLoopback(httplib::Server& server, int port);

// Runs the accept loop of a bound `server` on a new thread and returns once the loop runs,
// because httplib's stop() does nothing before that.
std::thread RunAcceptLoop(httplib::Server& server);

}  // namespace vmq::sim

#endif  // VMQ_SIM_HTTP_LISTENER_H_

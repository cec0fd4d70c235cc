package io.muster.controller.fleet;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.muster.controller.access.Access;
import io.muster.controller.access.Principal;
import io.muster.controller.auth.FleetAuthorization;
import io.muster.controller.cluster.ClusterView;
import io.muster.controller.store.HostRecord;
import io.muster.controller.store.HostRepository;
import io.muster.controller.store.InvalidCursorException;
import io.muster.proto.v1.FleetControlGrpc;
import io.muster.proto.v1.GetHostRequest;
import io.muster.proto.v1.Host;
import io.muster.proto.v1.ListHostsRequest;
import io.muster.proto.v1.ListHostsResponse;
import io.muster.scheduler.selector.Selector;
import io.muster.scheduler.selector.SelectorSyntaxException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FleetControl gRPC service over the host repository: any member answers for the whole
 * fleet. Bad input answers INVALID_ARGUMENT with the reason, an unknown host NOT_FOUND.
 *
 * <p>Non-blocking: each call completes from the database future's completion.
 */
public final class FleetControlService extends FleetControlGrpc.FleetControlImplBase {

    private static final Logger LOG = LoggerFactory.getLogger(FleetControlService.class);
    static final int DEFAULT_PAGE_SIZE = 100;

    private final HostRepository hosts;
    private final ClusterView cluster;

    public FleetControlService(HostRepository hosts, ClusterView cluster) {
        this.hosts = hosts;
        this.cluster = cluster;
    }

    @Override
    public void listHosts(ListHostsRequest request, StreamObserver<ListHostsResponse> response) {
        int pageSize = request.getPageSize() == 0 ? DEFAULT_PAGE_SIZE : request.getPageSize();
        if (pageSize < 1 || pageSize > HostRepository.MAX_PAGE) {
            invalid(response, "page_size must be between 1 and " + HostRepository.MAX_PAGE + ", got " + request.getPageSize());
            return;
        }
        Selector selector;
        try {
            selector = request.getSelector().isBlank() ? null : Selector.parse(request.getSelector());
        } catch (SelectorSyntaxException e) {
            invalid(response, "selector: " + e.getMessage());
            return;
        }
        Principal caller = FleetAuthorization.PRINCIPAL.get();
        if (caller == null) {
            response.onError(Status.UNAUTHENTICATED.withDescription("ListHosts needs an API token").asRuntimeException());
            return;
        }
        selector = Access.hostSelector(caller, selector);
        String token = request.getPageToken().isEmpty() ? null : request.getPageToken();
        hosts.list(selector, pageSize, token)
                .compose(page -> cluster.connectedTo(page.items().stream().map(HostRecord::id).toList())
                        .map(connected -> response(page.items(), connected, page.next())))
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        response.onNext(ar.result());
                        response.onCompleted();
                    } else if (ar.cause() instanceof InvalidCursorException e) {
                        invalid(response, "page_token: " + e.getMessage());
                    } else {
                        internal(response, "ListHosts", ar.cause());
                    }
                });
    }

    private static ListHostsResponse response(List<HostRecord> items, Map<String, String> connected, String next) {
        ListHostsResponse.Builder out = ListHostsResponse.newBuilder().setNextPageToken(next == null ? "" : next);
        for (HostRecord record : items) {
            out.addHosts(HostMessages.host(record, connected.get(record.id())));
        }
        return out.build();
    }

    @Override
    public void getHost(GetHostRequest request, StreamObserver<Host> response) {
        String id = request.getHostId().trim();
        if (id.isEmpty()) {
            invalid(response, "host_id is required");
            return;
        }
        hosts.find(id).onComplete(ar -> {
            if (ar.failed()) {
                internal(response, "GetHost", ar.cause());
                return;
            }
            if (ar.result().isEmpty()) {
                response.onError(Status.NOT_FOUND.withDescription("no host with id " + id).asRuntimeException());
                return;
            }
            HostRecord record = ar.result().get();
            cluster.connectedTo(List.of(id)).onComplete(connected -> {
                try {
                    Host.Builder host = HostMessages.host(record, connected.succeeded() ? connected.result().get(id) : null)
                            .setInventory(HostMessages.inventory(record));
                    response.onNext(host.build());
                    response.onCompleted();
                } catch (InvalidProtocolBufferException e) {
                    internal(response, "GetHost", e);
                }
            });
        });
    }

    private static void invalid(StreamObserver<?> response, String reason) {
        response.onError(Status.INVALID_ARGUMENT.withDescription(reason).asRuntimeException());
    }

    private static void internal(StreamObserver<?> response, String call, Throwable cause) {
        LOG.warn("{} failed", call, cause);
        response.onError(Status.INTERNAL.withDescription(call + " failed on the controller; see its log").asRuntimeException());
    }
}

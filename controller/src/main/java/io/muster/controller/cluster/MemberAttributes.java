package io.muster.controller.cluster;

import com.hazelcast.cluster.Member;

/** Names of the Hazelcast member attributes every controller member publishes when it joins. */
public final class MemberAttributes {

    /** The member id used in Welcome, Redirect, the sessions map and the API. */
    public static final String MEMBER_ID = "muster.member-id";
    /** "host:port" agents are redirected to. */
    public static final String GRPC = "muster.grpc";
    /** "host:port" of the HTTP API. */
    public static final String HTTP = "muster.http";

    private MemberAttributes() {
    }

    public static String memberId(Member member) {
        String id = member.getAttribute(MEMBER_ID);
        return id != null ? id : member.getUuid().toString();
    }

    public static String grpc(Member member) {
        return member.getAttribute(GRPC);
    }

    public static String http(Member member) {
        return member.getAttribute(HTTP);
    }

    /** The member's Hazelcast address as "host:port". */
    public static String address(Member member) {
        return member.getAddress().getHost() + ":" + member.getAddress().getPort();
    }
}

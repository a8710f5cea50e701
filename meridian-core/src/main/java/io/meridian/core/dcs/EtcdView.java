package io.meridian.core.dcs;

import java.util.List;

/**
 * etcd's Raft state as the member this process talks to reports it: who leads, who answered, and
 * the members (ids as etcdctl prints them, in hexadecimal).
 *
 * @param leaderId  the Raft leader's member id, 0 while there is none
 * @param servingId the member that answered
 * @param members   every member, learners included
 */
public record EtcdView(long leaderId, long servingId, List<Member> members) {

    /** One etcd member; a learner does not vote and cannot lead. */
    public record Member(long id, String name, boolean learner, List<String> clientUrls) {

        public Member {
            clientUrls = clientUrls == null ? List.of() : List.copyOf(clientUrls);
        }

        public Member(long id, String name, boolean learner) {
            this(id, name, learner, List.of());
        }
    }

    public EtcdView {
        members = List.copyOf(members);
    }

    /** An etcd member id as etcdctl prints it. */
    public static String hex(long id) {
        return Long.toHexString(id);
    }

    /** The member's name, else its hexadecimal id. */
    public String nameOf(long id) {
        return members.stream().filter(m -> m.id() == id).map(Member::name).filter(n -> !n.isEmpty())
                .findFirst().orElse(hex(id));
    }
}

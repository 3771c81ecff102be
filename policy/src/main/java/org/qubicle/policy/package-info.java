/**
 * The qrexec policy engine: Qubes' v5 policy format ({@code /etc/qubes/policy.d/*.policy}) with
 * its exact semantics, quirks included (see {@code shared/specs/qrexec-policy.md}).
 *
 * <h2>Using it from the daemon</h2>
 * <pre>{@code
 * PolicyEngine engine = PolicyEngine.open(List.of(
 *         root.resolve("run/qubes/policy.d"),      // runtime files, win on equal names
 *         root.resolve("etc/qubes/policy.d")));
 *
 * // per qrexec call (qrexec-policy-daemon protocol: source, intended_target, service_and_arg)
 * Decision d = engine.evaluate(systemInfo, Request.of(source, intendedTarget, serviceAndArg));
 * switch (d) {
 *     case Decision.Allowed a -> reply(a.response());           // the exact daemon answer
 *     case Decision.AskUser a -> {                             // prompt the source's guivm
 *         String pick = askGuiVm(a.targets(), a.defaultTarget());   // null when refused
 *         Decision after = pick == null ? null : engine.policy().confirmAsk(systemInfo, request, a, pick);
 *         ...                                                  // Allowed or Denied
 *     }
 *     case Decision.Denied x -> reply("result=deny");          // notify if x.notifyUser()
 *     case Decision.Failed f -> reply("result=deny");          // log f.detail() (file:line)
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link org.qubicle.policy.PolicyEngine#evaluate} first calls
 *       {@link org.qubicle.policy.PolicyEngine#reloadIfChanged}, which stats every file and
 *       directory the last load touched (includes too) and reloads when any changed, so policy
 *       edits apply to the next call without a restart. After the Policy Admin API writes a
 *       file, {@link org.qubicle.policy.PolicyEngine#reload} forces it. For many evaluations
 *       in one go (filtering a qube list), call {@code reloadIfChanged()} once and evaluate on
 *       the snapshot {@link org.qubicle.policy.PolicyEngine#policy()}.</li>
 *   <li>To validate a proposed change before writing it ({@code policy.Replace}), load the
 *       directories through {@link org.qubicle.policy.PolicySource#overlay} with the change
 *       (null text removes a file) and check {@link org.qubicle.policy.Policy#error()}.</li>
 *   <li>Filtering by policy ({@code admin.vm.List}, {@code admin.Events}): evaluate the request
 *       for each qube and keep those that give {@link org.qubicle.policy.Decision.Allowed}; an
 *       ask counts as not allowed.</li>
 *   <li>{@link org.qubicle.policy.SystemInfo} is what qubesd's {@code internal.GetSystemInfo}
 *       returns; build it from the model, or with
 *       {@link org.qubicle.policy.SystemInfo#fromJson}.</li>
 *   <li>A policy that fails to load answers every call with
 *       {@link org.qubicle.policy.Decision.Failed} of kind {@code POLICY}, whose detail names
 *       file and line.</li>
 * </ul>
 *
 * <p>Everything here is immutable or thread-safe; evaluation takes microseconds and allocates
 * little, so it can run on the caller's virtual thread.
 */
package org.qubicle.policy;

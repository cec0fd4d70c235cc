package io.muster.controller.graphql;

import graphql.analysis.FieldComplexityCalculator;
import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import graphql.execution.AbortExecutionException;
import graphql.execution.ExecutionContext;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.execution.instrumentation.Instrumentation;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimpleInstrumentationContext;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.ExecutionResult;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import java.util.List;
import java.util.Set;

/**
 * What one GraphQL operation may ask for, checked before any field runs (graphql-java
 * instrumentation; a refused operation is one error and no data):
 * <ul>
 *   <li>depth at most {@value #MAX_DEPTH} (e.g. {@code tasks{nodes{runs{nodes{stdout}}}}} is 5; only
 *   introspection nests deeper);</li>
 *   <li>complexity at most {@value #MAX_COMPLEXITY}: a field costs 1 plus its selection, and a
 *   listing costs its selection times its {@code first} (defaults included), so
 *   {@code tasks(first: 100) { nodes { runs(first: 100) { nodes { stdout } } } } } (10,000 runs'
 *   output) is refused while a page of 1,000 hosts with a few fields passes. A host's
 *   {@code inventory} counts {@value #INVENTORY_COST} (it is kilobytes);</li>
 *   <li>at most {@value #MAX_ALIASES} aliased fields: aliases repeat a field without nesting.</li>
 * </ul>
 * Thread-safe and stateless.
 */
final class QueryLimits {

    // Our own types nest 5 deep; the standard introspection query (GraphiQL) reaches about 13 with its ofType chain.
    static final int MAX_DEPTH = 15;
    static final int MAX_COMPLEXITY = 5_000;
    static final int MAX_ALIASES = 30;
    static final int INVENTORY_COST = 20;
    /** Listings whose size is their {@code first} argument. */
    private static final Set<String> LISTINGS = Set.of("hosts", "tasks", "runs", "events", "rollouts", "schedules");

    private QueryLimits() {
    }

    static Instrumentation instrumentation() {
        return new ChainedInstrumentation(List.of(
                new MaxQueryDepthInstrumentation(MAX_DEPTH),
                new MaxQueryComplexityInstrumentation(MAX_COMPLEXITY, complexity()),
                new AliasLimit()));
    }

    static FieldComplexityCalculator complexity() {
        return (env, children) -> {
            String name = env.getField().getName();
            if ("inventory".equals(name)) {
                return INVENTORY_COST;
            }
            if (LISTINGS.contains(name) && env.getArguments().get("first") instanceof Integer first) {
                return 1 + Math.max(1, first) * Math.max(1, children);
            }
            return 1 + children;
        };
    }

    /** Refuses an operation with more than {@link #MAX_ALIASES} aliased fields, fragments included. */
    static final class AliasLimit extends SimplePerformantInstrumentation {

        @Override
        public InstrumentationContext<ExecutionResult> beginExecuteOperation(InstrumentationExecuteOperationParameters parameters,
                                                                             InstrumentationState state) {
            ExecutionContext context = parameters.getExecutionContext();
            int aliases = aliases(context.getOperationDefinition().getSelectionSet(), context, 0);
            if (aliases > MAX_ALIASES) {
                throw new AbortExecutionException("the query has " + aliases + " aliased fields; at most " + MAX_ALIASES
                        + " are allowed");
            }
            return SimpleInstrumentationContext.noOp();
        }

        // Validation ran before this: fragments do not cycle, so the recursion ends; depth bounds it anyway.
        private static int aliases(SelectionSet set, ExecutionContext context, int depth) {
            if (set == null || depth > MAX_DEPTH * 4) {
                return 0;
            }
            int count = 0;
            for (Selection<?> selection : set.getSelections()) {
                if (selection instanceof Field field) {
                    count += (field.getAlias() == null ? 0 : 1) + aliases(field.getSelectionSet(), context, depth + 1);
                } else if (selection instanceof InlineFragment inline) {
                    count += aliases(inline.getSelectionSet(), context, depth + 1);
                } else if (selection instanceof FragmentSpread spread) {
                    FragmentDefinition fragment = context.getFragment(spread.getName());
                    count += fragment == null ? 0 : aliases(fragment.getSelectionSet(), context, depth + 1);
                }
                if (count > MAX_ALIASES) {
                    return count;
                }
            }
            return count;
        }
    }
}

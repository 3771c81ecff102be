package org.qubicle.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesTagNotFoundError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code qvm-tags}: list, add and remove a qube's tags (docs/cli.md). */
@Command(name = "qvm-tags", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Manage domain's tags.",
        subcommands = {QvmTags.ListTags.class, QvmTags.AddTags.class, QvmTags.DelTags.class})
public final class QvmTags extends QubesTool {
    @Parameters(index = "0", paramLabel = "VMNAME", completionCandidates = QubeNames.class,
            description = "The qube.")
    String vm;

    public static void main(String[] args) {
        ToolRunner.main(new QvmTags(), args);
    }

    @Override
    int run() {
        return list(null);
    }

    int list(String tag) {
        qubes().require(vm);
        try {
            List<String> tags = qubes().tags(vm);
            if (tag == null) {
                for (String t : new TreeSet<>(tags)) {
                    out().println(t);
                }
                return 0;
            }
            if (!tags.contains(tag)) {
                return 1;
            }
            out().println(tag);
            return 0;
        } catch (QubesException e) {
            throw runtime(e.getMessage());
        }
    }

    @Command(name = "list", aliases = {"ls", "l"}, description = "List tags, or check one.",
            mixinStandardHelpOptions = true)
    static final class ListTags implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        QvmTags parent;

        @Parameters(arity = "0..1", paramLabel = "TAG", description = "Tag to look for; exit 1 if absent.")
        String tag;

        @Override
        public Integer call() {
            return parent.list(tag);
        }
    }

    @Command(name = "add", aliases = {"a", "set"}, description = "Add tags.",
            mixinStandardHelpOptions = true)
    static final class AddTags implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        QvmTags parent;

        @Parameters(arity = "1..*", paramLabel = "TAG", description = "Tags to add.")
        List<String> tags = new ArrayList<>();

        @Override
        public Integer call() {
            parent.qubes().require(parent.vm);
            try {
                for (String t : tags) {
                    parent.qubes().call(parent.vm, "admin.vm.tag.Set", t, null);
                }
            } catch (QubesException e) {
                throw runtime(e.getMessage());
            }
            return 0;
        }
    }

    @Command(name = "del", aliases = {"d", "unset", "u"}, description = "Remove a tag.",
            mixinStandardHelpOptions = true)
    static final class DelTags implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        QvmTags parent;

        @Parameters(arity = "1", paramLabel = "TAG", description = "Tag to remove.")
        String tag;

        @Override
        public Integer call() {
            parent.qubes().require(parent.vm);
            try {
                parent.qubes().call(parent.vm, "admin.vm.tag.Remove", tag, null);
            } catch (QubesTagNotFoundError e) {
                // discard(): an absent tag is fine.
            } catch (QubesException e) {
                throw runtime(e.getMessage());
            }
            return 0;
        }
    }
}

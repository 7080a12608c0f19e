using System.CommandLine;
using WcLayer.Portable;

namespace WcLayer.Cli;

/// <summary><c>wclayer mount [-l parent]... &lt;scratch&gt; [target]</c>: hcsshim's <c>mount</c>, activates and prepares a scratch layer.</summary>
internal static class MountCommand
{
    private const string Name = "mount";

    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        Option<string[]> parents = LayerOptions.Parents("A read-only parent layer of the scratch layer; repeat it, immediate parent first, base layer last. Default: the chain recorded by 'wclayer create' (another chain is an error).");
        var mode = new Option<ScratchMode>("--mode")
        {
            Description = "Portable store: how the scratch layer is mounted the first time (auto: overlay where allowed, else reflink, else copy). Printed on stderr.",
            DefaultValueFactory = _ => ScratchMode.Auto,
        };
        Argument<string> scratch = LayerOptions.Layer("scratch", "The scratch layer folder (made by 'wclayer create').");
        var target = new Argument<string?>("target")
        {
            Description = "Optional: a path that must not exist; a symbolic link to the mount directory is made there.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        Option<bool> json = JsonOutput.Option("Print the result as one JSON object: path (where the files are), target (the link made, if any), mode (copy, overlay or volume).");
        var command = new Command(Name, Description)
        {
            parents,
            mode,
            scratch,
            target,
            json,
        };
        command.SetAction((parseResult, _) => CommandRunner.RunAsync(console, Name, parseResult.GetValue(verbose), parseResult.GetValue(json), () => RunAsync(
            console,
            Path.GetFullPath(parseResult.GetValue(scratch)!),
            LayerOptions.Normalize(parseResult.GetValue(parents), Name, needOne: false),
            parseResult.GetValue(target) is { } t ? Path.GetFullPath(t) : null,
            parseResult.GetValue(mode),
            parseResult.GetValue(json))));
        return command;
    }

    private static string Description =>
        "Activate a scratch layer, optionally mounted at a target, and print the path where its files are." +
        Environment.NewLine +
        "On the portable store the mount is <scratch>/mount, the merged view of the parents (the content of their Files/ " +
        "at its root, as the container's C:\\): an overlayfs mount as root (also root of a user namespace, e.g. unshare --user --map-root-user --mount), else a reflink or full copy (--mode); " +
        "change files there, then 'wclayer unmount' " +
        "and 'wclayer export' (or 'wclayer diff'). A [target] cannot be a volume mount point as on Windows: it becomes " +
        "a symbolic link to that directory, and 'wclayer unmount <scratch> <target>' removes it.";

    private static async Task RunAsync(CliConsole console, string path, IReadOnlyList<string> parents, string? target, ScratchMode mode, bool json)
    {
        ILayerStore store = LayerStore.Default;
        LayerPaths.RequireLayer(store, path);
        if (store is PortableLayerStore && mode != ScratchMode.Auto)
        {
            store = new PortableLayerStore(new PortableLayerStoreOptions { ScratchMode = mode });
        }

        if (target is not null && (File.Exists(target) || Directory.Exists(target) || IsLink(target)))
        {
            throw new UsageException($"the target {target} already exists; the portable store links a new path to the mount");
        }

        store.ActivateLayer(path);
        try
        {
            if (store is PortableLayerStore copying)
            {
                // A copy mode copies the whole view the first time: show it on the terminal (overlay reports nothing).
                using TerminalProgress? progress = TerminalProgress.For(console, "mounting");
                copying.PrepareLayer(path, parents, progress);
            }
            else
            {
                store.PrepareLayer(path, parents);
            }

            try
            {
                string mountPath = store.GetLayerMountPath(path);
                if (target is not null)
                {
                    File.CreateSymbolicLink(target, mountPath);
                }

                string? used = store is PortableLayerStore portable && portable.GetScratchMode(path) is { } m ? m.ToString().ToLowerInvariant() : null;
                if (json)
                {
                    await JsonOutput.WriteObjectAsync(console.Output, o =>
                    {
                        o.WriteString("path", mountPath);
                        if (target is not null)
                        {
                            o.WriteString("target", target);
                        }

                        o.WriteString("mode", used ?? MountMode.Describe(mountPath));
                    });
                }
                else
                {
                    if (used is not null)
                    {
                        await console.Error.WriteLineAsync($"wclayer mount: {used} mode");
                    }

                    await console.Output.WriteLineAsync(target ?? mountPath);
                }
            }
            catch
            {
                store.UnprepareLayer(path);
                throw;
            }
        }
        catch
        {
            store.DeactivateLayer(path);
            throw;
        }
    }

    internal static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;
}

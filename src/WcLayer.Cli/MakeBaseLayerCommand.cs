using System.CommandLine;

namespace WcLayer.Cli;

/// <summary><c>wclayer makebaselayer &lt;layer&gt;</c>: hcsshim's <c>makebaselayer</c> (ConvertToBaseLayer).</summary>
internal static class MakeBaseLayerCommand
{
    private const string Name = "makebaselayer";
    private const string UtilityVMFolder = "UtilityVM";

    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        Argument<string> layer = LayerOptions.Layer("layer", "The layer folder.");
        var command = new Command(Name, Description)
        {
            layer,
        };
        command.SetAction((parseResult, _) => CommandRunner.RunAsync(console, Name, parseResult.GetValue(verbose), () =>
        {
            string path = Path.GetFullPath(parseResult.GetValue(layer)!);
            ILayerStore store = LayerStore.Default;
            if (OperatingSystem.IsWindows() && store is Hcs.HcsLayerStore hcs)
            {
                // As hcsshim's wclayer makebaselayer: create the config folder and missing hives, check the UVM, process.
                hcs.ConvertToBaseLayer(path);
                return Task.CompletedTask;
            }

            store.ProcessBaseLayer(path);
            string utilityVM = Path.Combine(path, UtilityVMFolder);
            if (Directory.Exists(Path.Combine(utilityVM, "Files")))
            {
                store.ProcessUtilityVMImage(utilityVM);
            }

            return Task.CompletedTask;
        }));
        return command;
    }

    private static string Description =>
        "Make a layer a base layer (ConvertToBaseLayer): ProcessBaseLayer, then ProcessUtilityVMImage when " +
        "UtilityVM/Files exists." + Environment.NewLine +
        "On the HCS store (Windows) it first creates Files/Windows/System32/config and any missing registry hive " +
        "(DEFAULT, SAM, SECURITY, SOFTWARE, SYSTEM) as an empty hive, and requires UtilityVM/Files/EFI/Microsoft/Boot/BCD " +
        "when UtilityVM/Files exists; existing hives are kept." + Environment.NewLine +
        "On the portable store the layer must already be a layer (imported, e.g. with 'wclayer import'), not a bare " +
        "folder with Files/; processing checks the base layer's shape (the registry hives in " +
        "Files/Windows/System32/config, the utility VM's EFI/Microsoft/Boot/BCD) and records it as a base layer. " +
        "It creates no VHDX files: there is no Windows to boot them.";
}

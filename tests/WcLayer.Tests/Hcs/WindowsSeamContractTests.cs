// Contract tests of the Windows file-system seam (WindowsLayerRoot, LayerCopier, BackupWriteStream): the native
// double stands in for kernel32's CreateFileW, Get/SetFileInformationByHandle, BackupRead/BackupWrite and ntdll's
// NtCreateFile/NtSetInformationFile over real POSIX folders, and logs every open (access mask, disposition, options),
// every basic-info change and every BackupWrite with the real path. What only NTFS can show is in
// WindowsLayerRootScenarioTests and HcsWindowsTests. CA1416: the Windows-only seam is called off Windows on purpose.
#pragma warning disable CA1416

using System.Text.RegularExpressions;
using Microsoft.Win32.SafeHandles;
using WcLayer.Transport;
using WcLayer.Win32;

namespace WcLayer.Tests.Hcs;

[Collection(VmComputeDoubleCollection.Name)]
public sealed partial class WindowsSeamContractTests : IDisposable
{
    private const uint GenericRead = 0x80000000;
    private const uint GenericWrite = 0x40000000;
    private const uint WriteDac = 0x40000;
    private const uint WriteOwner = 0x80000;
    private const uint Synchronize = 0x100000;
    private const uint AccessSystemSecurity = 0x1000000;
    private const uint FileWriteAttributes = 0x100;

    private readonly VmComputeDouble _double;
    private readonly string _folder = Directory.CreateTempSubdirectory("wclayer-winseam-").FullName;

    public WindowsSeamContractTests(VmComputeDoubleFixture fixture)
    {
        _double = fixture.Double;
        _double.Reset();
    }

    public void Dispose()
    {
        _double.Reset();
        Directory.Delete(_folder, recursive: true);
    }

    [GeneratedRegex(@"^NtCreateFile root=""(?<root>[^""]*)"" name=""(?<name>[^""]*)"" access=0x(?<access>[0-9a-f]+) share=0x[0-9a-f]+ disposition=(?<disposition>\d+) options=0x(?<options>[0-9a-f]+)")]
    private static partial Regex NtCreateFileLine();

    private sealed record Open(string Root, string Name, uint Access, uint Disposition, uint Options);

    private Open[] Opens() =>
        [.. _double.Lines.Select(l => NtCreateFileLine().Match(l)).Where(m => m.Success).Select(m => new Open(
            m.Groups["root"].Value,
            m.Groups["name"].Value,
            Convert.ToUInt32(m.Groups["access"].Value, 16),
            uint.Parse(m.Groups["disposition"].Value, System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToUInt32(m.Groups["options"].Value, 16)))];

    private string NewFolder(params string[] parts) => Directory.CreateDirectory(Path.Combine([_folder, .. parts])).FullName;

    private static LayerRoot OpenRoot(string path) => WindowsLayerRoot.Open(path);

    [ContractFact]
    public void A_directory_opened_for_writing_asks_for_hcsshims_rights()
    {
        // Issue 12, item 4: hcsshim opens what it restores with GENERIC_READ | GENERIC_WRITE | WRITE_DAC | WRITE_OWNER |
        // ACCESS_SYSTEM_SECURITY; without GENERIC_WRITE (FILE_WRITE_EA) a directory's EA stream cannot be restored.
        string layer = NewFolder("layer", "d");
        using LayerRoot root = OpenRoot(Path.GetDirectoryName(layer)!);
        _double.Reset();
        using (root.OpenHandle("d", directory: true, write: true))
        {
        }

        Open open = Assert.Single(Opens());
        Assert.Equal("d", open.Name);
        Assert.Equal(GenericRead | GenericWrite | WriteDac | WriteOwner | AccessSystemSecurity | Synchronize, open.Access);
        Assert.Equal(1u, open.Disposition);
        Assert.Equal(0x1u, open.Options & 0x41);
    }

    [ContractFact]
    public void Without_SeSecurityPrivilege_the_optional_rights_go_and_GENERIC_WRITE_stays()
    {
        string layer = NewFolder("layer", "d");
        using LayerRoot root = OpenRoot(Path.GetDirectoryName(layer)!);
        _double.Reset();
        _double.DenyAccess(AccessSystemSecurity);
        using (root.OpenHandle("d", directory: true, write: true))
        {
        }

        Open[] opens = Opens();
        Assert.Equal(2, opens.Length);
        Assert.Equal(GenericRead | GenericWrite | Synchronize, opens[1].Access);
    }

    [ContractFact]
    public void A_directory_opened_for_reading_gets_no_GENERIC_WRITE()
    {
        string layer = NewFolder("layer", "d");
        using LayerRoot root = OpenRoot(Path.GetDirectoryName(layer)!);
        _double.Reset();
        using (root.OpenHandle("d", directory: true))
        {
        }

        Open open = Assert.Single(Opens());
        Assert.Equal(0u, open.Access & GenericWrite);
        Assert.Equal(GenericRead, open.Access & GenericRead);
        Assert.Equal(FileWriteAttributes, open.Access & FileWriteAttributes);
    }

    [ContractFact]
    public void CloneTree_restores_a_junction_as_a_directory_and_sets_the_basic_info_before_BackupWrite()
    {
        // Issue 12, item 3: hcsshim's cloneTree creates a directory for a junction (or directory symbolic link) found
        // in the parent's UtilityVM\Files and restores its reparse data into it with BackupWrite, after
        // SetFileBasicInfo; it never walks into it. Regular files become hard links, the BCD files copies.
        string parent = NewFolder("parent");
        string files = NewFolder("parent", "UtilityVM", "Files");
        File.WriteAllText(Path.Combine(files, "a.txt"), "linked");
        string boot = NewFolder("parent", "UtilityVM", "Files", "EFI", "Microsoft", "Boot");
        File.WriteAllText(Path.Combine(boot, "BCD"), "bcd");
        string junction = NewFolder("parent", "UtilityVM", "Files", "Junction");
        File.WriteAllText(Path.Combine(junction, "inside.txt"), "behind the junction");
        _double.MarkReparsePoint(junction);
        string layer = NewFolder("layer", "UtilityVM");
        layer = Path.GetDirectoryName(layer)!;

        using (LayerRoot source = OpenRoot(parent))
        using (LayerRoot destination = OpenRoot(layer))
        {
            _double.Reset();
            _double.MarkReparsePoint(junction);
            LayerCopier.CloneTree(source, destination, TransportPath.UtilityVMFiles, TransportPath.MutatedUtilityVMFiles);
        }

        string cloned = Path.Combine(layer, "UtilityVM", "Files", "Junction");
        Assert.True(Directory.Exists(cloned));
        Assert.Empty(Directory.EnumerateFileSystemEntries(cloned));

        Open created = Assert.Single(Opens(), o => o.Root == layer && o.Name == "UtilityVM/Files/Junction" && o.Disposition == 2);
        Assert.Equal(0x1u, created.Options & 0x41);
        Open restored = Opens().First(o => o.Root == layer && o.Name == "UtilityVM/Files/Junction" && o.Disposition == 1);
        Assert.Equal(GenericRead | GenericWrite | WriteDac | WriteOwner | AccessSystemSecurity | Synchronize, restored.Access);
        Assert.Equal(0x1u, restored.Options & 0x41);

        string[] lines = _double.Lines;
        int basicInfo = Array.FindIndex(lines, l => l.StartsWith($"SetFileInformationByHandle file=\"{cloned}\" class=0", StringComparison.Ordinal));
        int backupWrite = Array.FindIndex(lines, l => l.StartsWith($"BackupWrite file=\"{cloned}\" bytes=", StringComparison.Ordinal));
        Assert.True(basicInfo >= 0 && backupWrite > basicInfo, $"basic info at {basicInfo}, BackupWrite at {backupWrite}");
        int lastBasicInfo = Array.FindLastIndex(lines, l => l.StartsWith($"SetFileInformationByHandle file=\"{cloned}\" class=0", StringComparison.Ordinal));
        Assert.True(lastBasicInfo > backupWrite, "the directory times are reapplied after the tree is complete");

        // The same order for a copied file (hcsshim's copyFileWithMetadata).
        string bcd = Path.Combine(layer, "UtilityVM", "Files", "EFI", "Microsoft", "Boot", "BCD");
        int bcdInfo = Array.FindIndex(lines, l => l.StartsWith($"SetFileInformationByHandle file=\"{bcd}\" class=0", StringComparison.Ordinal));
        int bcdWrite = Array.FindIndex(lines, l => l.StartsWith($"BackupWrite file=\"{bcd}\" bytes=", StringComparison.Ordinal));
        Assert.True(bcdInfo >= 0 && bcdWrite > bcdInfo, $"basic info at {bcdInfo}, BackupWrite at {bcdWrite}");
        Assert.Equal("bcd", File.ReadAllText(bcd));
        Assert.NotEqual(Inode(Path.Combine(boot, "BCD")), Inode(bcd));

        Assert.Equal(Inode(Path.Combine(files, "a.txt")), Inode(Path.Combine(layer, "UtilityVM", "Files", "a.txt")));
        Assert.Contains(lines, l => l.StartsWith($"NtSetInformationFile file=\"{Path.Combine(files, "a.txt")}\" class=11", StringComparison.Ordinal));
        Assert.Equal(0, _double.LiveBackupContexts);
    }

    [ContractFact]
    public void A_backup_write_left_mid_stream_is_aborted_when_disposed()
    {
        // Issue 12, item 8: the BackupWrite context is freed (abort) whatever happens to the entry.
        string folder = NewFolder("layer");
        using LayerRoot root = OpenRoot(folder);
        using FileStream file = root.CreateFile("x");
        _double.Reset();
        PlainBackupWriter writer = root.CreatePlainBackupWriter(file, file.SafeFileHandle, processSecurity: true, root.Describe("x"));
        writer.Write(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 10 });
        Assert.Equal(1, _double.LiveBackupContexts);
        writer.Dispose();

        Assert.Equal(0, _double.LiveBackupContexts);
        string x = Path.Combine(folder, "x");
        Assert.Equal(
            [$"BackupWrite file=\"{x}\" bytes=9 abort=0 processSecurity=1 context=new", $"BackupWrite file=\"{x}\" bytes=0 abort=1 processSecurity=0 context=same"],
            _double.Lines);
    }

    [ContractFact]
    public void A_missing_root_keeps_the_code_windows_gives()
    {
        // Issue 12, item 9: hcsshim's OpenRoot reports FILE_NOT_FOUND as it comes (the double maps ENOENT to it).
        var e = Assert.Throws<LayerPathException>(() => OpenRoot(Path.Combine(_folder, "missing")));
        Assert.Equal(Win32Error.FileNotFound, e.ErrorCode);
    }

    private static UInt128 Inode(string path)
    {
        using LayerRoot root = LayerRoot.Open(Path.GetDirectoryName(path)!);
        return root.Stat(Path.GetFileName(path))?.FileId ?? throw new FileNotFoundException(path);
    }
}

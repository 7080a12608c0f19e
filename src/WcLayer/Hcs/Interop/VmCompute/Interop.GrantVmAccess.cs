using System.Runtime.InteropServices;

namespace WcLayer.Hcs;

internal static partial class Interop
{
    internal static partial class VmCompute
    {
        [LibraryImport(Libraries.VmCompute, StringMarshalling = StringMarshalling.Utf16)]
        internal static partial int GrantVmAccess(string vmId, string filePath);
    }
}

using System.Runtime.InteropServices;

namespace WcLayer.Hcs;

internal static partial class Interop
{
    internal static partial class VmCompute
    {
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [LibraryImport(Libraries.VmCompute, StringMarshalling = StringMarshalling.Utf16)]
        internal static partial int CreateLayer(in DriverInfo info, string id, string parent);
    }
}

/// What `sexton version` prints and `sexton_build_info` carries.
public enum BuildInfo {
    public static let version = "0.1.0"

    public static var swiftVersion: String {
        #if compiler(>=6.4)
        "6.4"
        #elseif compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #else
        "6.x"
        #endif
    }
}

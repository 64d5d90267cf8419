package feed

import (
	"strconv"
	"strings"
)

// cssColours are CSS3 colour names with their values; RFC 7986 COLOR takes
// a name, not a hex value.
var cssColours = map[string]string{
	"black": "000000", "white": "ffffff", "gray": "808080", "silver": "c0c0c0", "dimgray": "696969",
	"lightgray": "d3d3d3", "darkgray": "a9a9a9", "slategray": "708090", "red": "ff0000", "darkred": "8b0000",
	"firebrick": "b22222", "crimson": "dc143c", "indianred": "cd5c5c", "salmon": "fa8072", "tomato": "ff6347",
	"orangered": "ff4500", "orange": "ffa500", "darkorange": "ff8c00", "gold": "ffd700", "goldenrod": "daa520",
	"darkgoldenrod": "b8860b", "yellow": "ffff00", "khaki": "f0e68c", "olive": "808000", "yellowgreen": "9acd32",
	"olivedrab": "6b8e23", "green": "008000", "darkgreen": "006400", "forestgreen": "228b22", "seagreen": "2e8b57",
	"mediumseagreen": "3cb371", "limegreen": "32cd32", "lime": "00ff00", "lightgreen": "90ee90", "teal": "008080",
	"darkcyan": "008b8b", "lightseagreen": "20b2aa", "turquoise": "40e0d0", "cyan": "00ffff", "cadetblue": "5f9ea0",
	"steelblue": "4682b4", "dodgerblue": "1e90ff", "deepskyblue": "00bfff", "skyblue": "87ceeb", "lightblue": "add8e6",
	"cornflowerblue": "6495ed", "royalblue": "4169e1", "blue": "0000ff", "mediumblue": "0000cd", "darkblue": "00008b",
	"navy": "000080", "midnightblue": "191970", "slateblue": "6a5acd", "mediumpurple": "9370db", "blueviolet": "8a2be2",
	"darkviolet": "9400d3", "purple": "800080", "darkmagenta": "8b008b", "mediumorchid": "ba55d3", "orchid": "da70d6",
	"violet": "ee82ee", "plum": "dda0dd", "magenta": "ff00ff", "deeppink": "ff1493", "hotpink": "ff69b4",
	"pink": "ffc0cb", "palevioletred": "db7093", "mediumvioletred": "c71585", "brown": "a52a2a", "sienna": "a0522d",
	"saddlebrown": "8b4513", "chocolate": "d2691e", "peru": "cd853f", "sandybrown": "f4a460", "tan": "d2b48c",
	"maroon": "800000", "coral": "ff7f50", "darkslategray": "2f4f4f", "darkolivegreen": "556b2f", "indigo": "4b0082",
	"rebeccapurple": "663399", "darkslateblue": "483d8b", "mediumslateblue": "7b68ee", "lightcoral": "f08080",
	"darkkhaki": "bdb76b", "mediumaquamarine": "66cdaa", "aquamarine": "7fffd4", "powderblue": "b0e0e6",
}

// cssColourName returns the CSS3 colour name nearest to the #rrggbb hex.
func cssColourName(hex string) string {
	r, g, b, ok := rgb(hex)
	if !ok {
		return "gray"
	}
	best, bestD := "gray", 1<<30
	for name, v := range cssColours {
		cr, cg, cb, _ := rgb(v)
		// Weighted distance, close to how people see colour differences.
		d := 2*(r-cr)*(r-cr) + 4*(g-cg)*(g-cg) + 3*(b-cb)*(b-cb)
		if d < bestD || d == bestD && name < best {
			best, bestD = name, d
		}
	}
	return best
}

func rgb(hex string) (r, g, b int, ok bool) {
	hex = strings.TrimPrefix(hex, "#")
	if len(hex) != 6 {
		return 0, 0, 0, false
	}
	v, err := strconv.ParseUint(hex, 16, 32)
	if err != nil {
		return 0, 0, 0, false
	}
	return int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff), true
}

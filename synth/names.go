package synth

import (
	"strings"
	"unicode/utf8"

	"riskgraph/models"
)

// Word pools for the synthetic generator. Everything here is made up from
// common characters; any resemblance of a generated name to a real entity is
// chance.

// surnames are common Chinese surnames, most frequent first (the generator
// weights them by rank).
var surnames = splitRunes("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")

// compoundSurnames are rarer two-character surnames.
var compoundSurnames = []string{"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容"}

// givenChars are characters common in given names.
var givenChars = splitRunes("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍红建国文斌宇浩凯鹏飞俊鑫波辉亮成林志新海峰雪梅琳晨阳欣怡子轩梓涵一诺雨嘉佳思宁博睿浩然")

// latinGiven and latinFamily make the names of foreign nationals, who carry
// no mainland identity number.
var latinGiven = []string{"David", "Michael", "Anna", "Peter", "Maria", "John", "Kenji", "Yuki", "Min-jun", "Sophie", "Thomas", "Laura"}
var latinFamily = []string{"Smith", "Tanaka", "Kim", "Müller", "Martin", "Brown", "Lee", "Wong", "Garcia", "Rossi", "Schmidt", "Sato"}

// tradeChars make 字号 (trade names): two or three of them.
var tradeChars = splitRunes("华信达通鑫源恒泰瑞丰盛嘉宏远创新联合科天海金银博智汇德永安康乐兴旺隆昌富祥和明辉光星宇航锐捷腾飞龙凤鹏中邦威力诚品佳优美尚卓越伟业盈润亿万众利发成东南方正大环球世纪云数慧灵维睿思哲蓝绿青晨阳春冠豪景致宁峰岭川江湖林森泉鸿骏凯弘启晟昊煜炜琪璟翔毅杰俊铭锦绣雅沐晶钰晋熙朗拓迈聚融链赢途易酷")

// industry is a GB/T 4754-2017 division with the words that name its
// enterprises.
type industry struct {
	code   string
	words  []string
	weight float64
}

var industries = []industry{
	{"F51", []string{"贸易", "商贸", "供应链管理", "进出口"}, 14},
	{"F52", []string{"商业", "百货", "医药连锁"}, 6},
	{"I65", []string{"科技", "信息技术", "软件", "网络科技"}, 12},
	{"I64", []string{"互联网科技", "数字科技"}, 4},
	{"L72", []string{"企业管理咨询", "商务咨询", "企业管理", "咨询服务"}, 9},
	{"M75", []string{"生物科技", "新材料科技", "环保科技", "新能源科技"}, 6},
	{"E47", []string{"建筑工程", "建设工程", "装饰工程"}, 6},
	{"E48", []string{"市政工程", "路桥工程"}, 2},
	{"K70", []string{"房地产开发", "置业", "物业管理"}, 4},
	{"C14", []string{"食品", "饮品"}, 3},
	{"C39", []string{"电子", "电子科技", "通信设备"}, 4},
	{"C34", []string{"机械设备", "机电", "精密机械"}, 4},
	{"G54", []string{"物流", "运输", "货运代理"}, 5},
	{"H62", []string{"餐饮管理", "餐饮"}, 4},
	{"R86", []string{"文化传媒", "影视文化", "广告"}, 4},
	{"L71", []string{"设备租赁", "汽车租赁"}, 2},
	{"P83", []string{"教育科技", "教育咨询"}, 3},
	{"O80", []string{"家政服务", "保洁服务"}, 2},
	{"N77", []string{"环境工程", "生态环境"}, 2},
	{"A01", []string{"农业科技", "农业开发"}, 2},
}

// holdingIndustries are the industries of holding companies and funds
// (indexes into industries are looked up by code at start).
var holdingWords = []string{"投资", "投资控股", "控股", "投资管理", "实业", "资产管理", "股权投资"}

// partnershipWords name limited partnerships (holding vehicles and funds).
var partnershipWords = []string{"投资合伙企业（有限合伙）", "创业投资合伙企业（有限合伙）", "企业管理咨询合伙企业（有限合伙）", "股权投资合伙企业（有限合伙）"}

// individualWords name individual businesses (个体工商户).
var individualWords = []string{"便利店", "商行", "餐馆", "小吃店", "经营部", "五金店", "服装店", "美发店", "水果店", "烟酒店"}

// coopWords name farmers' specialised cooperatives.
var coopWords = []string{"种植专业合作社", "养殖专业合作社", "农机专业合作社", "果蔬专业合作社"}

// soleWords name sole proprietorships (个人独资企业).
var soleWords = []string{"商贸部", "经营部", "咨询服务部", "工作室"}

// roads are street names for addresses.
var roads = []string{"人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "胜利路", "长江路", "黄河路", "青年路",
	"文化路", "工业大道", "科技路", "创业路", "学府路", "滨海大道", "迎宾大道", "世纪大道", "金融街", "发展大道",
	"朝阳路", "光明路", "幸福路", "友谊路", "东风路", "北京路", "南京路", "上海路", "湖滨路", "江滨路",
	"高新路", "软件园路", "创新大道", "产业园路", "物流大道", "花园路", "公园路", "体育路", "站前路", "振兴路",
	"团结路", "复兴路", "红旗路", "五一路", "八一路", "北环路", "南环路", "东环路", "西环路", "环城路"}

// buildingWords end building names in addresses.
var buildingWords = []string{"大厦", "广场", "中心", "商务楼", "国际大厦", "科技园", "写字楼"}

// incubatorWords name the shared registered addresses (集中登记地).
var incubatorWords = []string{"创业园", "众创空间", "孵化基地", "电商产业园", "总部基地"}

// emailDomains for the email column.
var emailDomains = []string{"qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "aliyun.com"}

// foreignNames make foreign shareholders' names.
var foreignWords = []string{"Pacific", "Harbour", "Golden", "Bright", "Summit", "Evergreen", "Orient", "Crown", "Silver", "Lotus",
	"Phoenix", "Dragon", "Jade", "Sunrise", "Horizon", "Pinnacle", "Greenfield", "Victoria", "Regal", "Prosper"}
var foreignSuffixes = []string{"Holdings Limited", "Investment Limited", "Capital Ltd.", "International Limited", "Group Co., Ltd.", "Ventures Pte. Ltd."}
var foreignPlaces = []struct{ address, currency string }{
	{"香港特别行政区中环皇后大道中", "HKD"},
	{"英属维尔京群岛托尔托拉岛罗德城邮政信箱", "USD"},
	{"开曼群岛大开曼岛南教堂街", "USD"},
	{"新加坡莱佛士坊", "SGD"},
	{"美国特拉华州威尔明顿市中心街", "USD"},
	{"日本东京都港区六本木", "JPY"},
}

// bigCities weights the prefectures where most registrations happen; every
// other county-level division has weight 1. The weight of a city is spread
// evenly over its county-level divisions.
var bigCities = map[string]float64{
	"1101": 300, "3101": 300, "4403": 300, "4401": 220, "3301": 180, "5101": 160, "5001": 150,
	"4201": 130, "3201": 120, "3205": 140, "6101": 100, "1201": 100, "4419": 100, "3702": 80, "4406": 80,
}

// areaCodes are the telephone area codes of the big cities (other cities get
// mobile numbers only).
var areaCodes = map[string]string{
	"1101": "010", "3101": "021", "1201": "022", "5001": "023", "4403": "0755", "4401": "020", "3301": "0571",
	"5101": "028", "4201": "027", "3201": "025", "3205": "0512", "6101": "029", "4419": "0769", "3702": "0532", "4406": "0757",
}

// provinceAbbr are the one-character province abbreviations used in court
// case numbers and document numbers.
var provinceAbbr = map[string]string{
	"11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑", "31": "沪",
	"32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫", "42": "鄂", "43": "湘",
	"44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "贵", "53": "云", "54": "藏", "61": "陕",
	"62": "甘", "63": "青", "64": "宁", "65": "新",
}

// place is a county-level division prepared for the generator.
type place struct {
	code     string // 6-digit division code
	prefix   string // name prefix of enterprises: 深圳市, 北京
	short    string // 深圳, 北京: branch names
	abbr     string // 深: document numbers
	city     string // 深圳市: authorities
	county   string // 南山区
	province string // 广东省
	full     string // 广东省深圳市南山区: addresses
	area     string // telephone area code or ""
}

func newPlace(code string) place {
	r := models.LookupRegion(code)
	p := place{code: code, province: r.Province, city: r.City, county: r.County, full: r.FullName()}
	if p.city == "" {
		p.city = p.province
	}
	if p.county == "" {
		p.county = p.city
	}
	p.short = shortName(p.city)
	p.prefix = p.city
	if !strings.HasSuffix(p.city, "市") || municipality(code) {
		p.prefix = p.short
	}
	p.abbr, _ = firstRune(p.short)
	p.area = areaCodes[code[:4]]
	return p
}

func municipality(code string) bool {
	switch code[:2] {
	case "11", "12", "31", "50":
		return true
	}
	return false
}

// shortName drops the administrative suffix of a city name: 深圳市 → 深圳,
// 延边朝鲜族自治州 → 延边, 阿克苏地区 → 阿克苏.
func shortName(city string) string {
	if strings.HasSuffix(city, "自治州") { // 延边朝鲜族自治州 → 延边
		return string([]rune(city)[:2])
	}
	for _, suf := range []string{"地区", "盟", "市"} {
		if s, ok := strings.CutSuffix(city, suf); ok && utf8.RuneCountInString(s) >= 2 {
			return s
		}
	}
	return city
}

func firstRune(s string) (string, bool) {
	_, n := utf8.DecodeRuneInString(s)
	return s[:n], n > 0
}

func splitRunes(s string) []string {
	seen := map[rune]bool{}
	var out []string
	for _, r := range s {
		if !seen[r] {
			seen[r] = true
			out = append(out, string(r))
		}
	}
	return out
}

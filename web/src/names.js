// Names for the codes the API sends: industries (GB/T 4754-2017 sections
// and divisions), enterprise statuses, officer titles and person-to-person
// relation kinds, in Chinese and English. Unknown codes show as they are.
import { getLang } from './i18n.js';

const pick = (e, code) => (e ? e[getLang() === 'en' ? 1 : 0] || e[0] : code);

// Sections A–T.
const sections = {
  A: ['农、林、牧、渔业', 'Agriculture, forestry, animal husbandry, fishery'], B: ['采矿业', 'Mining'], C: ['制造业', 'Manufacturing'],
  D: ['电力、热力、燃气及水生产和供应业', 'Electricity, heat, gas and water'], E: ['建筑业', 'Construction'], F: ['批发和零售业', 'Wholesale and retail'],
  G: ['交通运输、仓储和邮政业', 'Transport, storage and post'], H: ['住宿和餐饮业', 'Accommodation and catering'],
  I: ['信息传输、软件和信息技术服务业', 'Information, software and IT services'], J: ['金融业', 'Finance'], K: ['房地产业', 'Real estate'],
  L: ['租赁和商务服务业', 'Leasing and business services'], M: ['科学研究和技术服务业', 'Research and technical services'],
  N: ['水利、环境和公共设施管理业', 'Water, environment and public facilities'], O: ['居民服务、修理和其他服务业', 'Residential, repair and other services'],
  P: ['教育', 'Education'], Q: ['卫生和社会工作', 'Health and social work'], R: ['文化、体育和娱乐业', 'Culture, sports and entertainment'],
  S: ['公共管理、社会保障和社会组织', 'Public administration and social organisations'], T: ['国际组织', 'International organisations'],
};
// Divisions 01–97 (Chinese; English shows the section's name).
const divisions = ('农业 林业 畜牧业 渔业 农林牧渔专业及辅助性活动 煤炭开采和洗选业 石油和天然气开采业 黑色金属矿采选业 有色金属矿采选业 非金属矿采选业 ' +
  '开采专业及辅助性活动 其他采矿业 农副食品加工业 食品制造业 酒、饮料和精制茶制造业 烟草制品业 纺织业 纺织服装、服饰业 皮革、毛皮、羽毛及其制品和制鞋业 ' +
  '木材加工和木、竹、藤、棕、草制品业 家具制造业 造纸和纸制品业 印刷和记录媒介复制业 文教、工美、体育和娱乐用品制造业 石油、煤炭及其他燃料加工业 ' +
  '化学原料和化学制品制造业 医药制造业 化学纤维制造业 橡胶和塑料制品业 非金属矿物制品业 黑色金属冶炼和压延加工业 有色金属冶炼和压延加工业 金属制品业 ' +
  '通用设备制造业 专用设备制造业 汽车制造业 铁路、船舶、航空航天和其他运输设备制造业 电气机械和器材制造业 计算机、通信和其他电子设备制造业 ' +
  '仪器仪表制造业 其他制造业 废弃资源综合利用业 金属制品、机械和设备修理业 电力、热力生产和供应业 燃气生产和供应业 水的生产和供应业 房屋建筑业 ' +
  '土木工程建筑业 建筑安装业 建筑装饰、装修和其他建筑业 批发业 零售业 铁路运输业 道路运输业 水上运输业 航空运输业 管道运输业 多式联运和运输代理业 ' +
  '装卸搬运和仓储业 邮政业 住宿业 餐饮业 电信、广播电视和卫星传输服务 互联网和相关服务 软件和信息技术服务业 货币金融服务 资本市场服务 保险业 ' +
  '其他金融业 房地产业 租赁业 商务服务业 研究和试验发展 专业技术服务业 科技推广和应用服务业 水利管理业 生态保护和环境治理业 公共设施管理业 ' +
  '土地管理业 居民服务业 机动车、电子产品和日用产品修理业 其他服务业 教育 卫生 社会工作 新闻和出版业 广播、电视、电影和录音制作业 文化艺术业 ' +
  '体育 娱乐业 中国共产党机关 国家机构 人民政协、民主党派 社会保障 群众团体、社会团体和其他成员组织 基层群众自治组织及其他组织 国际组织').split(' ');

// industryName: "A01" → "农业" (English: the section's name); a bare section letter → its name.
export function industryName(code) {
  if (!code) return '';
  const m = /^([A-T])?(\d{2})?/.exec(code);
  const sec = m && m[1];
  const div = m && m[2] ? +m[2] : 0;
  if (getLang() !== 'en' && div >= 1 && div <= divisions.length) return divisions[div - 1];
  return sec && sections[sec] ? pick(sections[sec]) : '';
}
// industryLabel: "A01 农业", or the code alone when unknown.
export function industryLabel(code) {
  const n = industryName(code);
  return n ? code + ' ' + n : code || '';
}

const statuses = { active: ['存续', 'active'], revoked: ['吊销', 'revoked'], cancelled: ['注销', 'cancelled'], moved_out: ['迁出', 'moved out'], unknown: ['未知', 'unknown'] };
export function statusName(s) { return s ? pick(statuses[s], s) : ''; }

const titles = {
  chairman: ['董事长', 'chairman'], vice_chairman: ['副董事长', 'vice chairman'], executive_director: ['执行董事', 'executive director'],
  director: ['董事', 'director'], independent_director: ['独立董事', 'independent director'], chief_supervisor: ['监事会主席', 'chief supervisor'],
  supervisor: ['监事', 'supervisor'], general_manager: ['总经理', 'general manager'], deputy_general_manager: ['副总经理', 'deputy general manager'],
  manager: ['经理', 'manager'], cfo: ['财务负责人', 'CFO'], board_secretary: ['董事会秘书', 'board secretary'],
  executive_partner: ['执行事务合伙人', 'executive partner'], branch_head: ['负责人', 'branch head'], other: ['其他', 'other'],
};
export function titleName(t) { return t ? pick(titles[t], t) : ''; }

const relations = { spouse: ['配偶', 'spouse'], relative: ['近亲属', 'relative'], other: ['其他关系', 'other tie'] };
export function relationName(k) { return k ? pick(relations[k], k) : ''; }

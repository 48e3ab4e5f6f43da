"""Word lists behind the join-comment parser: surnames, department suffixes, filler words.

Kept apart from the parsing logic so that an operator's report of a missed case usually means adding
a word here, not changing code.
"""

from __future__ import annotations

# Single-character surnames: the 百家姓 plus common modern ones (付 肖 覃 闫 …).
SINGLE_SURNAMES = frozenset(
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎"
    "鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余元卜顾孟平"
    "黄和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席季麻强贾路娄危江童"
    "颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔"
    "吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰"
    "秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴"
    "郁胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍却璩桑桂濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连"
    "茹习宦艾鱼容向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷"
    "訾辛阚那简饶空曾毋沙乜养鞠须丰巢关蒯相查后荆红游竺权逯盖益桓公晋楚闫法汝鄢涂钦岳帅缑亢况商"
    "牟佘佴伯赏墨谯笪年阳佟付肖覃兰邝揭粟谌衣练占庹仝铁植战来佀侍亓凃"
)

COMPOUND_SURNAMES = frozenset(
    "万俟 司马 上官 欧阳 夏侯 诸葛 闻人 东方 赫连 皇甫 尉迟 公羊 澹台 公冶 宗政 濮阳 淳于 单于 太叔 申屠 "
    "公孙 仲孙 轩辕 令狐 钟离 宇文 长孙 慕容 鲜于 闾丘 司徒 司空 亓官 司寇 子车 颛孙 端木 巫马 公西 "
    "漆雕 乐正 壤驷 公良 拓跋 夹谷 宰父 谷梁 段干 百里 东郭 南门 呼延 归海 羊舌 微生 梁丘 左丘 东门 "
    "西门 南宫 第五".split()
)

# Whole words that are departments or units by themselves.
DEPT_WORDS = frozenset(
    "办公室 党办 政办 局办 院办 校办 纪委 纪检组 团委 工会 妇联 文联 侨联 残联 科协 工商联 党委 机关党委 "
    "人大 政协 信访办 财务室 档案室 机要室 监察室 督查室 法规室 综合室".split()
)

# Endings that make a token a department or unit name; longer ones first.
DEPT_SUFFIXES_MULTI = tuple(
    sorted(
        (
            "领导小组 委员会 办公室 办事处 服务中心 联合会 研究院 研究所 研究室 派出所 事务所 图书馆 "
            "博物馆 档案馆 文化馆 纪念馆 卫生院 工作站 管理站 服务站 管理处 工作组 中心 部门 大队 中队 "
            "支队 分局 分院 公司 集团 银行 支行 分行 学校 医院 政府 街道 社区 协会 学会 商会 小组 法庭"
        ).split(),
        key=len,
        reverse=True,
    )
)
DEPT_SUFFIX_CHARS = frozenset("科处局室办队所股部组站委院馆厅司校厂社署")

# Words a department name often starts from (the part before the suffix); a split that produces one
# of them as a department core is preferred over one that produces a random fragment.
DEPT_CORES = frozenset(
    "办公 综合 财务 人事 宣传 组织 规划 政工 党建 法规 审计 监察 信息 后勤 保卫 预算 国库 税政 行政 "
    "技术 业务 基建 安全 质量 科技 统计 经济 社会 教育 文化 卫生 农业 水利 交通 城建 民政 信访 应急 "
    "纪检 政策 研究 法制 法治 督查 督办 档案 机要 保密 计财 资产 采购 绩效 会计 金融 债务 农村 综治 "
    "政府 外事 对外 党群 群工 离退 老干 老干部 人力 人力资源 调研 秘书 文秘 接待 服务 管理 发展 改革 "
    "稽查 执法 监督 治安 刑侦 户政 交警 消防 环保 环境 资源 国土 林业 畜牧 渔业 商务 招商 投资 "
    "评审 支付 核算 票据 政府采购 行财 经建 社保 农财 教科文 自然资源 企业 工贸 工业 科研 "
    "设计 测绘 地质 工程 建设 运维 网络 网信 数据 大数据 安监 质监 市场 价格 财政 税务 公安 司法 "
    "人社 住建 发改 农业农村 生态 党政 政务 行政审批 宣教 组宣 纪工 法务".split()
)

# Place endings: a token that ends so is part of a unit name (黄山市, 歙县), not a person.
PLACE_SUFFIX_CHARS = frozenset("省市县区镇乡村")

# Words that decorate a comment and carry neither name nor department. Titles are removed too, so
# that 财务科科长张三 reads as 财务科 张三. Longer first, so that 副科长 goes before 科长.
FILLERS = tuple(
    sorted(
        (
            "申请入群 申请加群 申请进群 申请加入 入群申请 加群申请 申请 加入本群 加入群聊 本群 "
            "入群 加群 进群 您好 你好 大家好 老师好 领导好 各位好 好的 谢谢 感谢 多谢 麻烦 "
            "请通过 求通过 通过一下 请同意 "
            "请批准 望通过 同意一下 我是 我叫 本人是 本人 我的 我来自 来自 新同事 新人 报到 实名 实名认证 "
            "同志 老师 "
            "副科长 科长 副处长 处长 副局长 局长 副主任 主任 副书记 书记 科员 干事 股长 队长 副队长 所长 "
            "站长 院长 馆长 部长 组长 副组长 主席 副主席 职员 工作人员"
        ).split(),
        key=len,
        reverse=True,
    )
)

# Tokens that can look like a name (a surname plus a character) but are ordinary words.
NOT_NAMES = frozenset(
    "谢谢 申请 通过 你好 您好 加我 同意 测试 哈哈 呵呵 嗯嗯 好的 可以 是的 收到 明白 公务员 同事 "
    "单位 科室 部门 姓名 名字 工作 群主 管理 管理员 本人 我们 大家 新人 朋友 家人 其他 无 "
    "问题 答案 方便 麻烦 感谢 欢迎 入群 进群 加群 员工 职工 干部 成员 领导 老师 同志 师傅".split()
)

# Characters a given name practically never contains: particles, pronouns, chat words.
NOT_IN_GIVEN_NAME = frozenset("的了吗呢啊吧哦呀嘛嗯您你我他她它们是在请群谢加入哈呵啦咯么这那个")

# Connectors between the parts of 规划科的李四, 张三是办公室的, 张三在办公室.
CONNECTORS = frozenset("的是在")
